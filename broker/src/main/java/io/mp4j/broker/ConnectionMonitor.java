package io.mp4j.broker;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Counts what happens to the broker's TCP connections below the mp4j protocol, from the ROUTER
 * socket's monitor events. Garbage on the port and connections that never speak never become
 * messages, so the ROUTER alone cannot see them; an operator still wants them counted.
 *
 * <p>JeroMQ's events do not say which connection they belong to, so the counts are totals: a
 * connection that never completed a ZeroMQ handshake is one accepted that produced no handshake
 * event (a silent one is closed by ZeroMQ's handshake timer, a garbled greeting at once).
 * Owned by the loop thread.
 */
final class ConnectionMonitor {
  private final ZMQ.Socket events;
  long accepted;
  long closed;
  /** Handshakes in the ZeroMQ protocol version mp4j's peers speak (ZMTP 3). */
  long handshakes;
  /** Greetings ZeroMQ took for an older protocol version, which no mp4j peer speaks: garbage. */
  long foreignGreetings;

  ConnectionMonitor(ZContext context, ZMQ.Socket router, String name) {
    String endpoint = "inproc://mp4j-monitor-" + name;
    router.monitor(endpoint, ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED
        | ZMQ.EVENT_HANDSHAKE_PROTOCOL);
    this.events = context.createSocket(SocketType.PAIR);
    events.connect(endpoint);
  }

  ZMQ.Socket socket() {
    return events;
  }

  /** Reads the events waiting, without blocking. */
  void drain() {
    for (int i = 0; i < 1000; i++) {
      ZMQ.Event event = ZMQ.Event.recv(events, ZMQ.DONTWAIT);
      if (event == null) {
        return;
      }
      switch (event.getEvent()) {
        case ZMQ.EVENT_ACCEPTED -> accepted++;
        case ZMQ.EVENT_DISCONNECTED -> closed++;
        case ZMQ.EVENT_HANDSHAKE_PROTOCOL -> {
          Object version = event.resolveValue();
          if (version instanceof Integer v && v >= 3) {
            handshakes++;
          } else {
            foreignGreetings++;
          }
        }
        default -> { }
      }
    }
  }

  void close() {
    events.close();
  }
}
