package io.mp4j.protocol;

/**
 * The channel that shared objects arriving in this JVM bind to: set by a worker process for the
 * tasks it runs. Not for users.
 */
public final class Channels {
  private static volatile BrokerChannel worker;

  private Channels() {}

  /** Sets the channel of the worker process this JVM runs. */
  public static void setWorkerChannel(BrokerChannel channel) {
    worker = channel;
  }

  /** The worker's channel, or null outside a worker process. */
  public static BrokerChannel workerChannel() {
    return worker;
  }
}
