package io.mp4j.protocol;

import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.ZContext;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Watches a connecting socket for a broker that closes the connection during its handshake. Not
 * for users.
 *
 * <p>A CurveZMQ broker that cannot open a peer's handshake (another authkey, or none) closes the
 * connection without a word, and JeroMQ does not connect that socket again: without this watch
 * the peer would wait for a WELCOME that never comes. A TCP connection closed again soon after it
 * was made, before any message arrived, is such a refusal. A handshake that merely stalls ends
 * only at the handshake limit, and a broker that is not running refuses the TCP connection
 * itself; neither counts. The peer tries a new socket after a refusal and calls the key wrong
 * after {@link #REFUSALS} of them in a row.
 */
public final class HandshakeWatch implements AutoCloseable {
  /** Refusals in a row that mean the key is wrong, not that the broker was restarting. */
  public static final int REFUSALS = 2;
  private static final AtomicLong NEXT = new AtomicLong();

  private final ZMQ.Socket watched;
  private final ZMQ.Socket events;
  private final long quickNanos;
  private long connectedAt = -1;

  /**
   * Starts watching a socket before it connects.
   *
   * @param handshakeMillis the socket's handshake limit: a close sooner than this is a refusal
   */
  public HandshakeWatch(ZContext context, ZMQ.Socket socket, int handshakeMillis) {
    this.watched = socket;
    this.quickNanos = handshakeMillis * 800_000L;
    String endpoint = "inproc://mp4j-handshake-" + ProcessHandle.current().pid() + "-"
        + NEXT.incrementAndGet();
    socket.monitor(endpoint, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED);
    this.events = context.createSocket(SocketType.PAIR);
    events.setLinger(0);
    events.connect(endpoint);
  }

  /**
   * Reads the events waiting and says whether the broker refused this socket's handshake. Call
   * it only while no message from the broker has arrived on the socket.
   */
  public boolean refused() {
    boolean refused = false;
    for (ZMQ.Event event = ZMQ.Event.recv(events, ZMQ.DONTWAIT); event != null;
        event = ZMQ.Event.recv(events, ZMQ.DONTWAIT)) {
      if (event.getEvent() == ZMQ.EVENT_CONNECTED) {
        connectedAt = System.nanoTime();
      } else if (event.getEvent() == ZMQ.EVENT_DISCONNECTED && connectedAt >= 0) {
        refused |= System.nanoTime() - connectedAt < quickNanos;
        connectedAt = -1;
      }
    }
    return refused;
  }

  /** Stops watching; call before the watched socket closes. */
  @Override
  public void close() {
    try {
      watched.monitor(null, 0);
    } catch (RuntimeException e) {
      // The watched socket is closing already; its monitor goes with it.
    }
    events.close();
  }
}
