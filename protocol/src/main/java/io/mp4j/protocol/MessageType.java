package io.mp4j.protocol;

import java.util.Arrays;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;

/**
 * The kinds of message in the mp4j protocol, each with its one-byte code on the wire.
 *
 * <p>Every message is a ZeroMQ multipart message whose first frame (after the ROUTER's identity
 * frame, on the broker side) is a single byte: this code. {@code docs/protocol.md} describes the
 * frames that follow for each type. Not for users: this type is public only so that the broker,
 * worker and client modules can share it.
 */
public enum MessageType {
  /** Peer to broker: protocol version, role, authkey proof and peer facts. */
  HELLO(1),
  /** Broker to peer: the session was accepted, with the broker's settings. */
  WELCOME(2),
  /** Client to broker: a batch of task frames. */
  SUBMIT(3),
  /** Worker to broker: keyed result frames; broker to client: a batch of result frames. */
  RESULT(4),
  /** Broker to worker: keyed task frames. */
  TASK(5),
  /** Broker to worker: the initializer of a client session, before that session's first task. */
  SESSION(6),
  /** Either way: a sign of life when nothing else was sent for a heartbeat interval. */
  HEARTBEAT(7),
  /** Peer to broker: the peer is leaving; anything it holds goes back to the queue. */
  BYE(8),
  /** Broker to peer: a request was refused or a frame was dropped, with a code and a reason. */
  ERROR(9),
  /** Peer to broker: an operation on a shared object, such as a queue. */
  REQUEST(10),
  /** Broker to peer: the outcome of a REQUEST, sent when the operation completes. */
  REPLY(11),
  /** Broker to worker: end the process as this signal would (a Process's terminate or kill). */
  SIGNAL(12),
  /** Worker to broker, broker to client: lines a task printed on a remote worker. */
  OUTPUT(13),
  /**
   * Broker to worker: keys of tasks it holds that an idle worker should run instead, if it has
   * not started them.
   */
  REVOKE(14),
  /** Worker to broker: the keys of a REVOKE that it gave up; it runs the others. */
  RELEASE(15);

  private static final MessageType[] BY_CODE = new MessageType[16];

  static {
    for (MessageType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final byte code;

  MessageType(int code) {
    this.code = (byte) code;
  }

  /** The byte that stands for this type on the wire. */
  public byte code() {
    return code;
  }

  /** A new one-byte frame holding this type's code. */
  public ZFrame newFrame() {
    return new ZFrame(new byte[] {code});
  }

  /**
   * Sends a message of this type and its body frames on a peer's socket to the broker, without
   * waiting. Returns false, having sent nothing, when the socket holds no connection to queue it
   * on: JeroMQ drops a connection whose handshake the broker refused and makes no other, and a
   * blocking send would then wait for ever.
   */
  public boolean sendNow(ZMQ.Socket socket, byte[]... body) {
    if (!socket.send(new byte[] {code}, ZMQ.DONTWAIT | (body.length == 0 ? 0 : ZMQ.SNDMORE))) {
      return false;
    }
    // With a connection and no high-water mark the rest is queued; should the connection go
    // between two frames, JeroMQ drops the part-sent message whole.
    for (int i = 0; i < body.length; i++) {
      socket.send(body[i], ZMQ.DONTWAIT | (i == body.length - 1 ? 0 : ZMQ.SNDMORE));
    }
    return true;
  }

  /** The type whose frame this is, or null when the frame is not a known type frame. */
  public static MessageType fromFrame(byte[] frame) {
    if (frame == null || frame.length != 1) {
      return null;
    }
    int code = frame[0];
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** Whether the frame is this type's frame. */
  public boolean frameEquals(byte[] frame) {
    return Arrays.equals(frame, new byte[] {code});
  }
}
