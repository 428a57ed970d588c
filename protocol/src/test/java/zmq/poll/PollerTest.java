package zmq.poll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mp4j.protocol.EventPoller;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.Ctx;

/**
 * mp4j's event loop for JeroMQ's I/O threads: a write that empties the buffer stops the write
 * interest in the same turn, and one that does not keeps it until the socket takes the rest.
 */
@Timeout(60)
class PollerTest {
  @Test
  void theReplacementIsTheOneJeroMqUses() {
    assertSame(
        EventPoller.class.getProtectionDomain().getCodeSource(),
        Poller.class.getProtectionDomain().getCodeSource(),
        "mp4j-protocol must come before jeromq on the class path");
  }

  @Test
  void aBurstLargerThanTheSocketBuffersArrivesWhole() {
    // Sent before the reader reads anything: the engine's writes fill the socket's buffer and
    // stop short, and only the selector's write events can move the rest.
    int messages = 200;
    int size = 256 * 1024;
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket reader = context.createSocket(SocketType.PULL);
      reader.setRcvHWM(0);
      int port = reader.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket writer = context.createSocket(SocketType.PUSH);
      writer.setSndHWM(0);
      writer.connect("tcp://127.0.0.1:" + port);
      for (int i = 0; i < messages; i++) {
        byte[] body = new byte[size]; // JeroMQ sends the array itself, not a copy
        body[0] = (byte) i;
        writer.send(body);
      }
      reader.setReceiveTimeOut(20_000);
      for (int i = 0; i < messages; i++) {
        byte[] got = reader.recv();
        assertEquals(size, got.length, "message " + i);
        assertEquals((byte) i, got[0], "message " + i + " in order");
      }
    }
  }

  @Test
  void everyRoundTripOverTcpGetsItsReply() {
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket server = context.createSocket(SocketType.ROUTER);
      int port = server.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket client = context.createSocket(SocketType.DEALER);
      client.connect("tcp://127.0.0.1:" + port);
      client.setReceiveTimeOut(10_000);
      server.setReceiveTimeOut(10_000);
      for (int i = 0; i < 5_000; i++) {
        byte[] request = ByteBuffer.allocate(4).putInt(i).array();
        client.send(request);
        byte[] identity = server.recv();
        byte[] got = server.recv();
        server.sendMore(identity);
        server.send(got);
        assertArrayEquals(request, client.recv(), "reply " + i);
      }
    }
  }

  @Test
  void aContextThatEndsReportsNoFailure() {
    // An ending context closes its reaper's selector while the reaper may still be handing out
    // the events of its last select: that is the end, not a failure to report.
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 200; i++) {
      try (ZContext context = new ZContext(1)) {
        context.setNotificationExceptionHandler((thread, failure) -> reported.add(failure));
        ZMQ.Socket server = context.createSocket(SocketType.ROUTER);
        int port = server.bindToRandomPort("tcp://127.0.0.1");
        ZMQ.Socket client = context.createSocket(SocketType.DEALER);
        client.connect("tcp://127.0.0.1:" + port);
        client.send("ping");
        server.recv();
        server.recv();
      }
    }
    assertEquals(List.of(), reported);
  }

  @Test
  void aHandleArmedForWritingIsWrittenBeforeTheSelectorWatchesIt() throws Exception {
    Ctx ctx = new Ctx();
    Poller poller = new Poller(ctx, "mp4j-poller-test");
    Pipe pipe = Pipe.open();
    pipe.sink().configureBlocking(false);
    // Whether the channel was registered with the selector at its first write event.
    CompletableFuture<Boolean> registered = new CompletableFuture<>();
    try {
      IPollEvents writer = new IPollEvents() {
        private Poller.Handle handle;

        @Override
        public void timerEvent(int id) {
          // As JeroMQ's engine does when handed a message: write interest on, and no write.
          handle = poller.addHandle(pipe.sink(), this);
          poller.setPollOut(handle);
        }

        @Override
        public void outEvent() {
          try {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
          } catch (IOException e) {
            registered.completeExceptionally(e);
          }
          poller.resetPollOut(handle);
          registered.complete(pipe.sink().isRegistered());
        }
      };
      poller.addTimer(1, writer, 1);
      poller.start();
      assertFalse(registered.get(10, TimeUnit.SECONDS),
          "the write came before the selector was asked to watch for it");
      ByteBuffer got = ByteBuffer.allocate(1);
      assertEquals(1, pipe.source().read(got));
      assertEquals(7, got.get(0));
    } finally {
      poller.destroy();
      pipe.sink().close();
      pipe.source().close();
      ctx.terminate();
    }
  }
}
