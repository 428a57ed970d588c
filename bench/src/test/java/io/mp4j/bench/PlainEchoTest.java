package io.mp4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An echo that lost or held back a message would leave its caller waiting: each test is timed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainEchoTest {
  @Test
  void aCallerGetsEveryRoundTripAnswered() {
    try (PlainEcho echo = PlainEcho.start()) {
      long[] window = PlainEcho.callerRoundTrips(echo.port(), 2_000);
      assertTrue(window[1] > window[0], "the timed window ends after it starts");
    }
  }

  @Test
  void messagesThatArriveTogetherOrInPiecesComeBackWhole() throws Exception {
    byte[] first = frame(new byte[] {1, 2, 3});
    byte[] second = frame(new byte[] {4, 5, 6, 7, 8});
    byte[] both = ByteBuffer.allocate(first.length + second.length).put(first).put(second)
        .array();
    try (PlainEcho echo = PlainEcho.start();
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(both);
      out.flush();
      byte[] answered = new byte[both.length];
      in.readFully(answered);
      assertArrayEquals(both, answered);

      out.write(first, 0, 2);
      out.flush();
      out.write(first, 2, first.length - 2);
      out.flush();
      byte[] whole = new byte[first.length];
      in.readFully(whole);
      assertArrayEquals(first, whole);
    }
  }

  @Test
  void aConnectionThatSendsAnImpossibleLengthIsClosedAndOthersAreStillServed() throws Exception {
    try (PlainEcho echo = PlainEcho.start();
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(ByteBuffer.allocate(Integer.BYTES).putInt(-5).array());
      socket.getOutputStream().flush();
      assertEquals(-1, socket.getInputStream().read(), "the echo closed the connection");
      long[] window = PlainEcho.callerRoundTrips(echo.port(), 100);
      assertTrue(window[1] > window[0]);
    }
  }

  private static byte[] frame(byte[] body) {
    return ByteBuffer.allocate(Integer.BYTES + body.length).putInt(body.length).put(body).array();
  }
}
