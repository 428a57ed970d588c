package io.mp4j.protocol;

/**
 * A way to send REQUESTs to the broker and get their REPLYs: the client's connection in a client
 * JVM, the worker's own connection inside a worker JVM. Shared objects (queues and, later, the
 * rest) are bound to one. Not for users.
 */
public interface BrokerChannel {
  /**
   * Sends a request; the future completes with the broker's reply, on the channel's I/O thread.
   *
   * @param op the operation, such as {@code queue.put}
   * @param name the shared object's name
   * @param args the operation's arguments, a msgpack array
   * @return the reply, or a future failed with the reason the channel could not carry it
   */
  ReplyFuture request(String op, String name, byte[] args);

  /**
   * Sends a quiet request: one the broker never parks and answers only when it fails. The future
   * completes with that failure, or with an empty success once the broker has answered a later
   * request of this channel; so a caller that sends many keeps bounded state by sending an
   * ordinary request now and then.
   *
   * @param op the operation, such as {@code queue.put} to a queue without a size limit
   * @param name the shared object's name
   * @param args the operation's arguments, a msgpack array
   * @return the outcome, as above
   */
  ReplyFuture tell(String op, String name, byte[] args);

  /** The broker's address, so that a handle can say where its object lives. */
  String brokerAddress();
}
