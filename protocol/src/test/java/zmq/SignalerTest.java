package zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.protocol.EventPoller;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zmq.util.Errno;

/** mp4j's wake-up signal for JeroMQ's mailboxes: counted before it wakes anyone. */
@Timeout(60)
class SignalerTest {
  private final Ctx ctx = new Ctx();
  private final Errno errno = new Errno();
  private final Signaler signaler = new Signaler(ctx, 1, errno);

  @AfterEach
  void close() throws Exception {
    signaler.close();
    ctx.terminate();
  }

  @Test
  void theReplacementIsTheOneJeroMqUses() {
    assertSame(
        EventPoller.class.getProtectionDomain().getCodeSource(),
        Signaler.class.getProtectionDomain().getCodeSource(),
        "mp4j-protocol must come before jeromq on the class path");
  }

  @Test
  void eachSignalIsTakenOnce() {
    assertFalse(signaler.waitEvent(0));
    assertEquals(ZError.EAGAIN, errno.get());
    signaler.send();
    signaler.send();
    assertTrue(signaler.waitEvent(0));
    signaler.recv();
    assertTrue(signaler.waitEvent(0));
    signaler.recv();
    assertFalse(signaler.waitEvent(0));
    assertFalse(signaler.waitEvent(20), "nothing was sent, so the wait times out");
    assertEquals(ZError.EAGAIN, errno.get());
  }

  @Test
  void aSignalToAClosedMailboxIsDropped() throws Exception {
    Signaler closed = new Signaler(ctx, 2, errno);
    closed.close();
    closed.send();
  }

  @Test
  void anInterruptedWaiterReturnsAtOnceAndKeepsNoSignal() {
    Thread.currentThread().interrupt();
    assertFalse(signaler.waitEvent(-1));
    assertEquals(ZError.EINTR, errno.get());
    assertFalse(Thread.interrupted());
  }

  @Test
  void aReaderWokenByTheByteAlwaysFindsTheSignalCounted() throws Exception {
    int senders = 4;
    int each = 20_000;
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      Thread sender =
          new Thread(
              () -> {
                for (int n = 0; n < each; n++) {
                  signaler.send();
                }
              });
      threads.add(sender);
      sender.start();
    }
    int taken = 0;
    int wokenForNothing = 0;
    try (Selector reader = Selector.open()) {
      signaler.getFd().register(reader, SelectionKey.OP_READ);
      while (taken < senders * each) {
        reader.select();
        reader.selectedKeys().clear();
        if (signaler.waitEvent(0)) {
          signaler.recv();
          taken++;
        } else {
          wokenForNothing++;
        }
      }
    }
    for (Thread sender : threads) {
      sender.join();
    }
    assertEquals(0, wokenForNothing, "wake-ups with no signal counted yet");
    assertFalse(signaler.waitEvent(0));
  }
}
