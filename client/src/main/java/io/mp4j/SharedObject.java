package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Channels;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.RemoteError;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.ReplyFuture;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.codec.SharedHandle;
import io.mp4j.protocol.codec.ValueReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageUnpacker;

/**
 * What every proxy to an object a Manager serves has: its broker channel and name, a request
 * with the caller's errors turned into exceptions, and values encoded and decoded with the
 * codec. Each operation is one request, carried out atomically by the broker.
 */
class SharedObject implements SharedHandle {
  /** The handle kind all Manager objects travel as; their own kind is in the settings. */
  static final String HANDLE_KIND = "object";

  final BrokerChannel channel;
  final String name;
  final String kind;
  /** What the broker answered when the object was opened: its settings. */
  final byte[] info;
  /** The failure of a request that was not waited for, thrown by the next call. */
  private volatile RuntimeException lostCall;

  SharedObject(BrokerChannel channel, String name, String kind, byte[] info) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.name = Objects.requireNonNull(name, "name");
    this.kind = kind;
    this.info = info;
  }

  /** Makes the named object in the broker unless it exists, and returns its settings. */
  static byte[] open(BrokerChannel channel, String name, boolean named, String kind,
      byte[] settings) {
    Reply reply = Queue.await(channel.request("obj.open", name, Wire.pack(packer -> {
      packer.packArrayHeader(3);
      packer.packString(kind);
      packer.packBoolean(named);
      packer.packBinaryHeader(settings.length);
      packer.writePayload(settings);
    })), name);
    Slice info = check(reply, kind + " " + name).payload();
    return info == null ? null : info.toArray();
  }

  /**
   * This object's name in the broker; a program that opens the same name through
   * {@code named(name)} shares the object.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Removes the object from the broker for every process that has it; whoever waits on it is
   * told it was deleted, and later calls through any proxy to it fail.
   */
  public void delete() {
    call("obj.delete", packer -> packer.packArrayHeader(0));
  }

  @Override
  public Ref ref() {
    return new Ref(HANDLE_KIND, name, channel.brokerAddress(), Wire.pack(packer -> {
      packer.packArrayHeader(3);
      packer.packString(kind);
      packer.packBinaryHeader(info.length);
      packer.writePayload(info);
      packer.packBoolean(withLock());
    }));
  }

  /** Whether the object carries a lock of its own (a Value or an Array made with one). */
  final boolean withLock() {
    return ownLock() != null;
  }

  /** The lock of a value or an array made with one; otherwise null. */
  Lock ownLock() {
    return null;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + "]";
  }

  /** Sends a request and waits for its answer; a failure becomes the matching exception. */
  Reply call(String op, Wire.Writer args) {
    throwLostCall();
    return check(Queue.await(channel.request(op, name, Wire.pack(args)), describe()),
        describe());
  }

  /**
   * Sends a quiet request (see {@link BrokerChannel#tell}) that cannot fail for a reason the
   * caller could act on now (such as a release of a lock this thread holds), without waiting: the connection keeps requests in
   * order, so every later request of this process sees its effect. A failure is thrown by the
   * next call.
   */
  void send(String op, Wire.Writer args) {
    throwLostCall();
    channel.tell(op, name, Wire.pack(args)).whenComplete((reply, error) -> {
      if (error != null) {
        lostCall = error instanceof Mp4jException known ? known
            : new BrokerException("request on " + describe() + " failed: " + error, error);
      } else if (reply.error() != null) {
        try {
          check(reply, describe());
        } catch (RuntimeException e) {
          lostCall = e;
        }
      }
    });
  }

  private void throwLostCall() {
    RuntimeException lost = lostCall;
    if (lost != null) {
      lostCall = null;
      throw lost;
    }
  }

  /**
   * Reads or writes the items of a value or an array: {@code get} or {@code set} at an index, or
   * {@code all}. With a lock, as in Python's synchronized wrappers, it waits in the broker while
   * another thread holds the lock; the holder's own reads and writes go at once.
   *
   * @param element writes the new item, for {@code set}; otherwise null
   * @return the reply; null for a write by the thread that holds the lock, which cannot wait or
   *     fail, so it does not wait for the broker (the connection keeps it before the release)
   */
  Reply access(String op, int index, Wire.Writer element) {
    Lock lock = ownLock();
    boolean locked = lock != null;
    boolean indexed = !op.equals("all");
    long thread = thread();
    Wire.Writer args = packer -> {
      packer.packArrayHeader((locked ? 1 : 0) + (indexed ? 1 : 0) + (element != null ? 1 : 0));
      if (locked) {
        packer.packLong(thread);
      }
      if (indexed) {
        packer.packInt(index);
      }
      if (element != null) {
        element.write(packer);
      }
    };
    if (!locked) {
      return call("list." + op, args);
    }
    if (element != null && lock.heldByCurrentThread()) {
      send("value." + op, args);
      return null;
    }
    return check(callWaiting("value." + op, args), describe());
  }

  /**
   * Sends a request that may wait in the broker. If this thread is interrupted meanwhile, the
   * request is withdrawn and its answer (a timeout, or what was granted before the withdrawal
   * arrived) returned with the interrupt status set again, so nothing granted is lost.
   */
  Reply callWaiting(String op, Wire.Writer args) {
    throwLostCall();
    ReplyFuture pending = channel.request(op, name, Wire.pack(args));
    boolean interrupted = false;
    while (true) {
      try {
        Reply reply = pending.get();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        return reply;
      } catch (InterruptedException e) {
        if (!interrupted) {
          interrupted = true;
          channel.request("obj.cancel", name, Wire.pack(packer -> {
            packer.packArrayHeader(1);
            packer.packLong(pending.requestId());
          }));
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof Mp4jException known ? known
            : new BrokerException("request on " + describe() + " failed: " + cause, cause);
      }
    }
  }

  String describe() {
    return kind + " " + name;
  }

  /** Turns a failed reply into the exception a caller sees. */
  static Reply check(Reply reply, String what) {
    if (reply.error() == null) {
      return reply;
    }
    String message = reply.message();
    throw switch (reply.error()) {
      case NO_SUCH_OBJECT -> new IllegalStateException(message);
      case BAD_REQUEST -> message != null && message.startsWith("index ")
          ? new IndexOutOfBoundsException(message) : new IllegalArgumentException(message);
      case NOT_ALLOWED -> new IllegalMonitorStateException(message);
      case ENCODING -> new EncodingException(message, null);
      case TASK_NOT_RESOLVED -> new UnsupportedOperationException(message);
      case TASK_FAILED -> remoteFailure(reply);
      default -> new BrokerException(what + ": " + message);
    };
  }

  private static RuntimeException remoteFailure(Reply reply) {
    if (reply.payload() == null) {
      return new BrokerException(reply.message());
    }
    try (MessageUnpacker in = Wire.unpacker(reply.payload())) {
      return new RemoteTaskException(new RemoteTraceback(RemoteError.unpack(in)));
    } catch (IOException e) {
      return new BrokerException(reply.message());
    }
  }

  /** The thread that holds or waits, as the broker tells holders apart within a process. */
  static long thread() {
    return Thread.currentThread().getId();
  }

  static long millis(long timeout, TimeUnit unit) {
    if (timeout < 0) {
      throw new IllegalArgumentException("timeout must be 0 or more, got " + timeout);
    }
    return timeout == 0 ? 0 : Math.max(1, unit.toMillis(timeout));
  }

  // ---- values ----

  static byte[] encode(Object value) {
    try {
      return Wire.pack(packer -> Codec.write(packer, value));
    } catch (CodecException e) {
      throw new EncodingException(e.getMessage(), e);
    }
  }

  static void writeValue(MessageBufferPacker packer, Object value) throws IOException {
    byte[] encoded = encode(value);
    packer.packBinaryHeader(encoded.length);
    packer.writePayload(encoded);
  }

  static byte[] encodeAll(Iterable<?> values) {
    List<byte[]> encoded = new ArrayList<>();
    for (Object value : values) {
      encoded.add(encode(value));
    }
    return Wire.packBinaries(encoded);
  }

  /** Decodes a value the broker holds; a shared object inside it binds to this channel. */
  Object decode(byte[] value, ValueReader reader, java.lang.reflect.Type type) {
    return decode(value == null ? null : Slice.of(value), reader, type);
  }

  /** {@link #decode(byte[], ValueReader, java.lang.reflect.Type)} where the value lies. */
  Object decode(Slice value, ValueReader reader, java.lang.reflect.Type type) {
    if (value == null) {
      return null;
    }
    return Channels.decodingWith(channel, () -> {
      try {
        return reader.read(value);
      } catch (IOException | RuntimeException e) {
        throw new EncodingException("a value of " + describe() + " does not decode into "
            + type.getTypeName() + ": " + e.getMessage(), e);
      }
    });
  }

  List<Slice> binaries(Reply reply) {
    try {
      return Wire.unpackSlices(reply.payload());
    } catch (IOException e) {
      throw new BrokerException("malformed answer about " + describe(), e);
    }
  }

  static boolean bool(Reply reply) {
    Slice payload = reply.payload();
    return payload != null && payload.length() == 1
        && payload.array()[payload.offset()] == (byte) 0xc3;
  }

  static int integer(Reply reply) {
    return integer(reply.payload());
  }

  static int integer(byte[] value) {
    return integer(Slice.of(value));
  }

  static int integer(Slice value) {
    try (MessageUnpacker in = Wire.unpacker(value)) {
      return in.unpackInt();
    } catch (IOException e) {
      throw new BrokerException("malformed number in a reply", e);
    }
  }

  static boolean timedOut(Reply reply) {
    return reply.error() == ErrorCode.TIMEOUT;
  }
}
