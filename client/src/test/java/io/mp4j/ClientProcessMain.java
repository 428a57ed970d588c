package io.mp4j;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * A client program for tests that must watch a whole client JVM: it starts a local pool, runs a
 * task that prints, reports its workers' pids, then exits without closing the pool ({@code exit})
 * or waits to be killed ({@code wait}).
 */
public final class ClientProcessMain {
  private ClientProcessMain() {}

  public static void main(String[] args) throws InterruptedException {
    Pool pool = Pool.create(2);
    pool.map(Tasks::printAndReturn, List.of("marker-from-task", "marker-from-task"), 1);
    List<Long> pids = pool.workerPids();
    while (pids.size() < 2) {
      pids = pool.workerPids();
    }
    System.out.println("PIDS " + pids.stream().map(String::valueOf)
        .collect(Collectors.joining(",")));
    System.out.flush();
    if (args[0].equals("exit")) {
      System.exit(0);
    }
    new CountDownLatch(1).await();
  }
}
