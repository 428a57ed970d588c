package io.mp4j;

import io.mp4j.protocol.BrokerChannel;

/**
 * A semaphore that may not be released above its initial value: Python's
 * {@code BoundedSemaphore}. A release past it throws {@link IllegalStateException} (Python's
 * ValueError), which finds releases that were not matched by an acquire.
 */
public final class BoundedSemaphore extends Semaphore {
  BoundedSemaphore(BrokerChannel channel, String name, byte[] info) {
    super(channel, name, info);
  }
}
