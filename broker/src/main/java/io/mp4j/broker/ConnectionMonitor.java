package io.mp4j.broker;

import java.lang.System.Logger.Level;
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
  private static final System.Logger LOG = System.getLogger(ConnectionMonitor.class.getName());

  private final ZMQ.Socket events;
  private final boolean encrypted;
  long accepted;
  long closed;
  /** Handshakes in the ZeroMQ protocol version mp4j's peers speak (ZMTP 3). */
  long handshakes;
  /** Greetings ZeroMQ took for an older protocol version, which no mp4j peer speaks: garbage. */
  long foreignGreetings;
  /** Connections accepted that have not reached their security handshake yet. */
  private long acceptedBeforeHandshake;

  ConnectionMonitor(ZContext context, ZMQ.Socket router, String name, boolean encrypted) {
    this.encrypted = encrypted;
    String endpoint = "inproc://mp4j-monitor-" + name;
    router.monitor(endpoint, ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED
        | ZMQ.EVENT_HANDSHAKE_PROTOCOL | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
        | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    this.events = context.createSocket(SocketType.PAIR);
    events.connect(endpoint);
  }

  ZMQ.Socket socket() {
    return events;
  }

  /**
   * Reads the events waiting, without blocking.
   *
   * @return how many connections were refused in their CurveZMQ handshake meanwhile: a peer
   *     with a wrong authkey derives a wrong server key, so its handshake fails; a peer without
   *     a key speaks ZeroMQ's NULL mechanism, which JeroMQ closes before the handshake without
   *     an event of its own (so garbage counts here too)
   */
  int drain() {
    int refused = 0;
    for (int i = 0; i < 1000; i++) {
      ZMQ.Event event = ZMQ.Event.recv(events, ZMQ.DONTWAIT);
      if (event == null) {
        break;
      }
      switch (event.getEvent()) {
        case ZMQ.EVENT_ACCEPTED -> {
          accepted++;
          acceptedBeforeHandshake++;
        }
        case ZMQ.EVENT_DISCONNECTED -> {
          closed++;
          if (encrypted && acceptedBeforeHandshake > 0) {
            acceptedBeforeHandshake--;
            refused++;
            LOG.log(Level.WARNING, "refused a connection: it closed before the CurveZMQ"
                + " handshake (a peer without the authkey, or not an mp4j peer)");
          }
        }
        case ZMQ.EVENT_HANDSHAKE_PROTOCOL -> {
          acceptedBeforeHandshake = Math.max(0, acceptedBeforeHandshake - 1);
          Object version = event.resolveValue();
          if (version instanceof Integer v && v >= 3) {
            handshakes++;
          } else {
            foreignGreetings++;
          }
        }
        case zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
            zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL -> {
          refused++;
          LOG.log(Level.WARNING, "refused a connection: its CurveZMQ handshake failed (a peer"
              + " with a wrong authkey)");
        }
        default -> { } // a failed ZAP check is counted where the ZAP handler refuses it
      }
    }
    return refused;
  }

  void close() {
    events.close();
  }
}
