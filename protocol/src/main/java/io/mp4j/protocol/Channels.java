package io.mp4j.protocol;

import java.util.function.Supplier;

/**
 * The channel that shared objects arriving in this JVM bind to: the worker process's own for
 * the tasks it runs, or, while a shared object decodes a value it holds (a list inside a dict),
 * that object's channel. Not for users.
 */
public final class Channels {
  private static volatile BrokerChannel worker;
  private static final ThreadLocal<BrokerChannel> DECODING = new ThreadLocal<>();

  private Channels() {}

  /** Sets the channel of the worker process this JVM runs. */
  public static void setWorkerChannel(BrokerChannel channel) {
    worker = channel;
  }

  /** The worker's channel, or null outside a worker process. */
  public static BrokerChannel workerChannel() {
    return worker;
  }

  /** The channel a shared object decoded on this thread now binds to, or null for none. */
  public static BrokerChannel current() {
    BrokerChannel decoding = DECODING.get();
    return decoding != null ? decoding : worker;
  }

  /** Runs a decode with shared objects in the value bound to {@code channel}. */
  public static <T> T decodingWith(BrokerChannel channel, Supplier<T> decode) {
    BrokerChannel before = DECODING.get();
    DECODING.set(channel);
    try {
      return decode.get();
    } finally {
      if (before == null) {
        DECODING.remove();
      } else {
        DECODING.set(before);
      }
    }
  }
}
