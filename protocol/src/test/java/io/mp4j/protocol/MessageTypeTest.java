package io.mp4j.protocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/** Sending to the broker never waits: a peer's I/O thread must stay free to notice trouble. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageTypeTest {
  @Test
  void sendNow_deliversTheTypeFrameAndBody() {
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket broker = context.createSocket(SocketType.ROUTER);
      int port = broker.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket peer = context.createSocket(SocketType.DEALER);
      peer.connect("tcp://127.0.0.1:" + port);

      assertTrue(MessageType.REQUEST.sendNow(peer, new byte[] {1, 2}, new byte[] {3}));

      ZMsg msg = ZMsg.recvMsg(broker);
      assertEquals(4, msg.size()); // identity, type, two body frames
      msg.pop();
      assertEquals(MessageType.REQUEST, MessageType.fromFrame(msg.pop().getData()));
      assertArrayEquals(new byte[] {1, 2}, msg.pop().getData());
      assertArrayEquals(new byte[] {3}, msg.pop().getData());
    }
  }

  @Test
  void sendNow_neverBlocks_onASocketThatDroppedARefusedConnection() throws Exception {
    try (ZContext context = new ZContext(1);
        ServerSocket curveOnly = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread greeter = new Thread(() -> greetAsCurveServer(curveOnly));
      greeter.setDaemon(true);
      greeter.start();
      ZMQ.Socket peer = context.createSocket(SocketType.DEALER);
      peer.connect("tcp://127.0.0.1:" + curveOnly.getLocalPort()); // no key: a NULL greeting

      // A peer told that the other side speaks another mechanism drops the connection, a few
      // commands later, and mostly makes no other: from then on a blocking send would wait for
      // ever, and the condition would never return. (In a few runs in a hundred JeroMQ keeps a
      // pipe that takes messages all along; then the sends end by their count.)
      AtomicInteger sends = new AtomicInteger();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          !MessageType.HELLO.sendNow(peer, new byte[] {1}) || sends.incrementAndGet() >= 50);
    }
  }

  /** Accepts one connection and sends a ZeroMQ 3.0 greeting that asks for CurveZMQ. */
  private static void greetAsCurveServer(ServerSocket server) {
    try (Socket connection = server.accept()) {
      byte[] greeting = new byte[64];
      greeting[0] = (byte) 0xff;
      greeting[9] = 0x7f;
      greeting[10] = 3; // version 3.0
      byte[] mechanism = "CURVE".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(mechanism, 0, greeting, 12, mechanism.length);
      greeting[32] = 1; // as server
      connection.getOutputStream().write(greeting);
      connection.getOutputStream().flush();
      connection.getInputStream().transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // The test ended and closed the server.
    }
  }
}
