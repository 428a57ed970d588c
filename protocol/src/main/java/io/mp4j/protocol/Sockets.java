package io.mp4j.protocol;

import org.zeromq.ZMQ;

/** Small helpers for the event loops' ZeroMQ sockets. Not for users. */
public final class Sockets {
  private Sockets() {}

  /**
   * Whether the socket has a message waiting. A ZeroMQ socket's descriptor signals only changes:
   * a message that arrived while the loop was sending on the same socket leaves no signal, and a
   * blocking poll would sleep through it until its timeout. The loops ask first.
   */
  public static boolean readable(ZMQ.Socket socket) {
    return (socket.getEvents() & ZMQ.Poller.POLLIN) != 0;
  }
}
