package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.codec.SharedHandle;
import io.mp4j.protocol.codec.ValueReader;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.concurrent.TimeUnit;
import org.msgpack.core.MessageUnpacker;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. Messages go
 * through queues held by the broker, so either end can be passed to a task on any host.
 *
 * @param <T> the type of the messages this end receives and sends
 */
public final class Connection<T> implements SharedHandle, AutoCloseable {
  static final String KIND = "pipe-end";
  private static final int VALUE = 0;
  private static final int BYTES = 1;
  private static final int END = 2;

  private final BrokerChannel channel;
  /** The queue this end reads, or null for a send-only end. */
  private final String inbox;
  /** The queue this end writes, or null for a receive-only end. */
  private final String outbox;
  private final Type messageType;
  private final Queue<byte[]> inboxQueue;
  private final Queue<byte[]> outboxQueue;
  private final ValueReader reader;
  /** A message that {@link #poll} found and {@link #recv} has not taken yet. */
  private Slice polled;
  private boolean otherEndClosed;
  private boolean closed;

  Connection(BrokerChannel channel, String inbox, String outbox, Type messageType) {
    this.channel = channel;
    this.inbox = inbox;
    this.outbox = outbox;
    this.messageType = messageType;
    this.inboxQueue = inbox == null ? null : new Queue<>(channel, inbox, byte[].class, 0, false);
    this.outboxQueue = outbox == null ? null
        : new Queue<>(channel, outbox, byte[].class, 0, false);
    this.reader = Codec.reader(messageType);
  }

  /**
   * Sends a message to the other end.
   *
   * @param message the message, not null
   * @throws InterruptedException when interrupted while the broker answers
   * @throws EncodingException when the message cannot be encoded
   * @throws IllegalStateException when this end is closed or cannot send
   */
  public void send(T message) throws InterruptedException {
    java.util.Objects.requireNonNull(message, "message");
    byte[] value;
    try {
      value = Wire.pack(packer -> Codec.write(packer, message));
    } catch (CodecException e) {
      throw new EncodingException(e.getMessage(), e);
    }
    put(VALUE, value);
  }

  /**
   * Sends raw bytes to the other end: Python's {@code send_bytes}.
   *
   * @param bytes the bytes
   * @throws InterruptedException when interrupted while the broker answers
   * @throws IllegalStateException when this end is closed or cannot send
   */
  public void sendBytes(byte[] bytes) throws InterruptedException {
    put(BYTES, bytes.clone());
  }

  /**
   * Receives the next message, waiting until one comes.
   *
   * @return the message
   * @throws EOFException when the other end was closed and nothing is left (Python's EOFError)
   * @throws InterruptedException when interrupted while waiting
   * @throws IllegalStateException when the message is raw bytes; use {@link #recvBytes()}
   */
  public T recv() throws EOFException, InterruptedException {
    Slice envelope = next(-1);
    return decode(envelope);
  }

  /**
   * Receives the next raw bytes message: Python's {@code recv_bytes}.
   *
   * @return the bytes
   * @throws EOFException when the other end was closed and nothing is left
   * @throws InterruptedException when interrupted while waiting
   */
  public byte[] recvBytes() throws EOFException, InterruptedException {
    Slice envelope = next(-1);
    try (MessageUnpacker in = Wire.unpacker(envelope)) {
      in.unpackArrayHeader();
      if (in.unpackInt() != BYTES) {
        throw new IllegalStateException("the next message is not raw bytes; use recv()");
      }
      return in.readPayload(in.unpackBinaryHeader());
    } catch (IOException e) {
      throw new EncodingException("malformed pipe message: " + e.getMessage(), e);
    }
  }

  /**
   * Whether a message is there to receive, waiting at most the given time.
   *
   * @param timeout how long to wait; 0 answers at once
   * @param unit the unit of {@code timeout}
   * @return true when {@link #recv} would return (or throw EOF) without waiting
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean poll(long timeout, TimeUnit unit) throws InterruptedException {
    if (polled != null || otherEndClosed) {
      return true;
    }
    requireInbox();
    Slice envelope = get(timeout == 0 ? 0 : Math.max(1, unit.toMillis(timeout)));
    if (envelope == null) {
      return false;
    }
    polled = envelope;
    return true;
  }

  /** Closes this end: the other end's receives end with EOF once it has read what was sent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (outbox != null) {
      try {
        rawPut(Wire.pack(packer -> {
          packer.packArrayHeader(1);
          packer.packInt(END);
        }));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Slice next(long timeoutMillis) throws EOFException, InterruptedException {
    if (polled != null) {
      Slice envelope = polled;
      polled = null;
      return checkEnd(envelope);
    }
    if (otherEndClosed) {
      throw new EOFException("the other end of the pipe was closed");
    }
    requireInbox();
    return checkEnd(get(timeoutMillis));
  }

  private Slice checkEnd(Slice envelope) throws EOFException {
    int kind;
    try (MessageUnpacker in = Wire.unpacker(envelope)) {
      in.unpackArrayHeader();
      kind = in.unpackInt();
    } catch (IOException e) {
      throw new EncodingException("malformed pipe message: " + e.getMessage(), e);
    }
    if (kind == END) {
      otherEndClosed = true;
      throw new EOFException("the other end of the pipe was closed");
    }
    return envelope;
  }

  private T decode(Slice envelope) {
    try (MessageUnpacker in = Wire.unpackerAt(envelope)) {
      in.unpackArrayHeader();
      if (in.unpackInt() != VALUE) {
        throw new IllegalStateException("the next message is raw bytes; use recvBytes()");
      }
      @SuppressWarnings("unchecked")
      T message = (T) reader.read(in, envelope.array());
      return message;
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException state) {
        throw state;
      }
      throw new EncodingException("a pipe message does not decode into "
          + messageType.getTypeName() + ": " + e.getMessage(), e);
    }
  }

  private void put(int kind, byte[] payload) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("this end of the pipe is closed");
    }
    if (outbox == null) {
      throw new IllegalStateException("this end of a one-way pipe only receives");
    }
    rawPut(Wire.pack(payload.length + 8, packer -> {
      packer.packArrayHeader(2);
      packer.packInt(kind);
      if (kind == BYTES) {
        packer.packBinaryHeader(payload.length);
      }
      packer.writePayload(payload);
    }));
  }

  /**
   * Sends an envelope, itself the queue's item (it is msgpack already); the pipe's queue has no
   * size limit, so the send streams (see Queue).
   */
  private void rawPut(byte[] envelope) throws InterruptedException {
    outboxQueue.putValue(envelope, -1);
  }

  /** The next envelope, or null when none came within the timeout (-1 waits for ever). */
  private Slice get(long timeoutMillis) throws InterruptedException {
    return inboxQueue.takeValue(timeoutMillis);
  }

  private void requireInbox() {
    if (inbox == null) {
      throw new IllegalStateException("this end of a one-way pipe only sends");
    }
  }

  @Override
  public Ref ref() {
    return new Ref(KIND, inbox == null ? "" : inbox, channel.brokerAddress(),
        Wire.pack(packer -> packer.packString(outbox == null ? "" : outbox)));
  }
}
