package io.mp4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Pipes and simple queues of a context, between this JVM and tasks in worker JVMs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeTest {
  private Context context;

  @BeforeAll
  void start() {
    context = Context.local();
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  @Test
  void duplexPipe_carriesMessagesBothWays() throws Exception {
    Pipe<String> pipe = context.pipe(String.class);
    pipe.first().send("ping");
    assertEquals("ping", pipe.second().recv());
    pipe.second().send("pong");
    assertTrue(pipe.first().poll(5, TimeUnit.SECONDS));
    assertEquals("pong", pipe.first().recv());
    assertFalse(pipe.first().poll(0, TimeUnit.SECONDS));
  }

  @Test
  void oneWayPipe_firstReceivesAndSecondSends() throws Exception {
    Pipe<Integer> pipe = context.pipe(Integer.class, false);
    assertThrows(IllegalStateException.class, () -> pipe.first().send(1));
    assertThrows(IllegalStateException.class, () -> pipe.second().recv());
    pipe.second().send(7);
    assertEquals(7, pipe.first().recv());
  }

  @Test
  void bytesAndPoll_withTimeout() throws Exception {
    Pipe<String> pipe = context.pipe(String.class);
    long start = System.nanoTime();
    assertFalse(pipe.second().poll(200, TimeUnit.MILLISECONDS));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 180);
    pipe.first().sendBytes(new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, pipe.second().recvBytes());
  }

  @Test
  void recvAfterTheOtherEndClosed_endsWithEofOnceDrained() throws Exception {
    Pipe<String> pipe = context.pipe(String.class);
    pipe.first().send("last words");
    pipe.first().close();
    assertEquals("last words", pipe.second().recv());
    assertThrows(EOFException.class, () -> pipe.second().recv());
    assertThrows(EOFException.class, () -> pipe.second().recv());
    assertThrows(IllegalStateException.class, () -> pipe.first().send("after close"));
  }

  @Test
  void pipeEndPassedToATask_talksToThisEnd() throws Exception {
    try (Pool pool = context.pool(1)) {
      Pipe<String> pipe = context.pipe(String.class);
      AsyncResult<Integer> child = pool.applyAsync(Tasks::echoUpper, pipe.second());
      for (String word : List.of("a", "b", "c")) {
        pipe.first().send(word);
        assertEquals(word.toUpperCase(), pipe.first().recv());
      }
      pipe.first().close();
      assertEquals(3, child.get(30, TimeUnit.SECONDS));
      assertThrows(EOFException.class, () -> pipe.first().recv());
    }
  }

  @Test
  void simpleQueue_putGetEmpty_andFromATask() throws Exception {
    SimpleQueue<Integer> queue = context.simpleQueue(Integer.class);
    assertTrue(queue.isEmpty());
    queue.put(5);
    assertFalse(queue.isEmpty());
    assertEquals(5, queue.get());
    try (Pool pool = context.pool(1)) {
      assertEquals(4, pool.apply(Tasks::putSquares, queue, 4));
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(i * i, queue.get());
    }
    queue.close();
    assertThrows(IllegalStateException.class, () -> queue.put(1));
  }
}
