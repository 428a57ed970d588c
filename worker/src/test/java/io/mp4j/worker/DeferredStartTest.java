package io.mp4j.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeferredStartTest {
  private final DeferredStart start = new DeferredStart();
  private final AtomicInteger runs = new AtomicInteger();

  @Test
  void now_runsTheWorkOnTheCallingThread_andTheDelayDoesNotRunItAgain() {
    Thread[] ranOn = new Thread[1];
    start.schedule(() -> {
      ranOn[0] = Thread.currentThread();
      runs.incrementAndGet();
    }, Duration.ofMillis(300));
    start.now();
    assertEquals(1, runs.get());
    assertEquals(Thread.currentThread(), ranOn[0]);
    start.now();
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
        .until(() -> runs.get() == 1);
  }

  @Test
  void withoutNow_theWorkRunsOnceAfterTheDelay() {
    start.schedule(runs::incrementAndGet, Duration.ofMillis(200));
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
    start.now();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> runs.get() == 1);
  }

  @Test
  void nothingScheduled_nowDoesNothing() {
    start.now();
    assertEquals(0, runs.get());
  }
}
