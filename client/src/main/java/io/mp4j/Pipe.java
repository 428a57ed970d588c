package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import java.lang.reflect.Type;
import java.util.UUID;

/**
 * A pair of connected ends: Python's {@code multiprocessing.Pipe()}. Duplex by default, each end
 * sends to the other; one-way, the {@link #first()} end only receives and the {@link #second()}
 * end only sends, as in Python.
 *
 * @param <T> the message type
 */
public final class Pipe<T> {
  private final Connection<T> first;
  private final Connection<T> second;

  private Pipe(Connection<T> first, Connection<T> second) {
    this.first = first;
    this.second = second;
  }

  static <T> Pipe<T> open(BrokerChannel channel, Type messageType, boolean duplex) {
    String id = UUID.randomUUID().toString();
    String toFirst = "pipe-" + id + "-1";
    String toSecond = duplex ? "pipe-" + id + "-2" : null;
    Queue.open(channel, toFirst, byte[].class, 0, false);
    if (duplex) {
      Queue.open(channel, toSecond, byte[].class, 0, false);
    }
    return new Pipe<>(new Connection<>(channel, toFirst, toSecond, messageType),
        new Connection<>(channel, toSecond, toFirst, messageType));
  }

  /**
   * The first end: Python's {@code conn1}; in a one-way pipe, the receiving end.
   *
   * @return the end
   */
  public Connection<T> first() {
    return first;
  }

  /**
   * The second end: Python's {@code conn2}; in a one-way pipe, the sending end.
   *
   * @return the end
   */
  public Connection<T> second() {
    return second;
  }
}
