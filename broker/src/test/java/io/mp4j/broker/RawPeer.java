package io.mp4j.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mp4j.protocol.Hello;
import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Request;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Wire;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.msgpack.core.MessageUnpacker;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/** A client or worker that speaks the protocol by hand, for the broker's tests. */
final class RawPeer {
  final ZMQ.Socket socket;
  private long nextRequestId = 1;

  RawPeer(ZContext context, String endpoint, Hello.Role role, long pid) {
    this(context, endpoint, role, pid, 0);
  }

  /** A peer that says HELLO; a worker with {@code taskLimit} retires after that many tasks. */
  RawPeer(ZContext context, String endpoint, Hello.Role role, long pid, int taskLimit) {
    socket = context.createSocket(SocketType.DEALER);
    socket.setLinger(0);
    socket.setHandshakeIvl(1000);
    socket.setReceiveTimeOut(5000);
    socket.connect(endpoint);
    send(MessageType.HELLO, new Hello(Wire.PROTOCOL_VERSION, role, null, "test", pid,
        role + "-" + pid, taskLimit, null).encode());
    assertNotNull(receive(MessageType.WELCOME));
  }

  void send(MessageType type, byte[]... frames) {
    socket.send(new byte[] {type.code()}, frames.length == 0 ? 0 : ZMQ.SNDMORE);
    for (int i = 0; i < frames.length; i++) {
      socket.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
    }
  }

  /** The next message of this type, skipping heartbeats; null when none comes. */
  ZMsg receive(MessageType expected) {
    while (true) {
      ZMsg msg = ZMsg.recvMsg(socket);
      if (msg == null) {
        return null;
      }
      MessageType type = MessageType.fromFrame(msg.pop().getData());
      if (type != MessageType.HEARTBEAT) {
        assertEquals(expected, type);
        return msg;
      }
    }
  }

  /** The task frames of the next TASK message, with their keys. */
  List<long[]> keys = new ArrayList<>();

  List<TaskFrame> tasks() throws Exception {
    ZMsg msg = receive(MessageType.TASK);
    assertNotNull(msg, "no TASK arrived");
    List<TaskFrame> frames = new ArrayList<>();
    keys.clear();
    try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
      int count = in.unpackArrayHeader();
      for (int i = 0; i < count; i++) {
        in.unpackArrayHeader();
        keys.add(new long[] {in.unpackLong(), in.unpackLong()});
        frames.add(TaskFrame.decode(in.readPayload(in.unpackBinaryHeader())));
      }
    }
    return frames;
  }

  ResultFrame result() throws Exception {
    ZMsg msg = receive(MessageType.RESULT);
    assertNotNull(msg, "no RESULT arrived");
    return ResultFrame.decode(Wire.unpackSlices(msg.pop().getData()).get(0));
  }

  /** The task ids of the next {@code count} result frames, however many messages carry them. */
  Set<Long> resultIds(int count) throws Exception {
    Set<Long> ids = new HashSet<>();
    for (int seen = 0; seen < count; ) {
      ZMsg msg = receive(MessageType.RESULT);
      assertNotNull(msg, "no RESULT arrived after " + seen + " of " + count);
      for (Slice frame : Wire.unpackSlices(msg.pop().getData())) {
        ids.add(ResultFrame.decode(frame).taskId());
        seen++;
      }
    }
    return ids;
  }

  void submit(byte[]... taskFrames) {
    send(MessageType.SUBMIT, Wire.packBinaries(List.of(taskFrames)));
  }

  void answer(long key, TaskFrame task) {
    byte[] values = Wire.pack(packer -> {
      packer.packArrayHeader(task.count());
      for (int i = 0; i < task.count(); i++) {
        packer.packInt(task.offset() + i);
      }
    });
    byte[] result = new ResultFrame(task.taskId(), task.offset(), task.count(), Slice.of(values),
        List.of()).encode();
    send(MessageType.RESULT, Wire.pack(packer -> {
      packer.packArrayHeader(1);
      packer.packArrayHeader(3);
      packer.packLong(key);
      packer.packLong(1000);
      packer.packBinaryHeader(result.length);
      packer.writePayload(result);
    }));
  }

  /** The keys that the next REVOKE asks this worker to give up. */
  List<Long> revoked() throws Exception {
    ZMsg msg = receive(MessageType.REVOKE);
    assertNotNull(msg, "no REVOKE arrived");
    return Wire.unpackLongs(msg.pop().getData());
  }

  /** Answers a REVOKE: these tasks are given back. */
  void release(List<Long> given) {
    send(MessageType.RELEASE, Wire.packLongs(given));
  }

  void close() {
    socket.close();
  }

  /** Sends a REQUEST and returns its number. */
  long request(String op, String name, byte[] args) {
    long id = nextRequestId++;
    send(MessageType.REQUEST, new Request(id, op, name, args).encode());
    return id;
  }

  /** Replies that came in a REPLY message with others, not yet read. */
  private final java.util.ArrayDeque<byte[]> replies = new java.util.ArrayDeque<>();

  /** The next reply, or null when none comes within the receive timeout. */
  Reply reply() throws Exception {
    if (replies.isEmpty()) {
      ZMsg msg = receive(MessageType.REPLY);
      if (msg == null) {
        return null;
      }
      while (!msg.isEmpty()) {
        replies.add(msg.pop().getData());
      }
    }
    return Reply.decode(replies.poll());
  }
}
