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

  /**
   * Sends a request whose arguments are made on the channel's I/O thread as it goes out, so a
   * caller can gather what it has to say (the items of a burst of puts) until the last moment.
   * A supplier that returns null sends nothing, and the future completes empty.
   *
   * @param op the operation
   * @param name the shared object's name
   * @param args makes the arguments, once, on the I/O thread
   * @param quiet whether the request is quiet (see {@link #tell})
   * @return the outcome, as {@link #request} or {@link #tell} gives it
   */
  ReplyFuture stream(String op, String name, java.util.function.Supplier<byte[]> args,
      boolean quiet);

  /** The broker's address, so that a handle can say where its object lives. */
  String brokerAddress();
}
