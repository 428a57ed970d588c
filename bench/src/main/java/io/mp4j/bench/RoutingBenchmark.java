package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import io.mp4j.broker.BrokerMain;
import io.mp4j.worker.WorkerMain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The broker's routing capacity: unchunked trivial tasks from two clients through one standalone
 * broker to four worker processes, beside bare JeroMQ through a one-hop broker in the same run.
 */
final class RoutingBenchmark implements Benchmark {
  static final int CLIENTS = 2;
  static final int WORKERS = 4;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  @Override
  public String key() {
    return "routing";
  }

  @Override
  public String title() {
    return "Broker routing capacity: 2 clients, 4 worker processes";
  }

  @Override
  public Section run(Context context) throws Exception {
    Sizes sizes = context.sizes();
    int perClient = Math.max(1, sizes.asyncTasks() / CLIENTS);
    int total = perClient * CLIENTS;
    Section section = new Section(key(), title(),
        String.format(Locale.US, "A standalone broker JVM (BrokerMain), one worker daemon JVM"
            + " (WorkerMain --processes %d) and two clients: two Pool.connect connections, each"
            + " a session of its own, in the harness JVM, each on its own thread. Per round each"
            + " client makes %,d applyAsync calls of x -> x * x (one task each, no chunking)"
            + " and then gets every result; a round is done when both are, %,d tasks in all."
            + " Untimed warm-up rounds: %d, and in a JVM more, up to %d,"
            + " until a collection has come since its heap last grew and the JIT compilers of"
            + " every JVM of the run used under a tenth of each of the last two rounds (each"
            + " figure says how many); timed rounds: %d, median reported. The limit is bare"
            + " JeroMQ through a one-hop broker (client DEALER -> ROUTER/DEALER proxy -> echo"
            + " DEALER, three JVMs), %,d requests of 8 bytes in flight, %,d per round, measured"
            + " in the same run. Every process shares the machine's %d cores.",
            WORKERS, perClient, total, sizes.warmupRounds(),
            sizes.warmupRounds() * Throughput.MAX_WARMUP_FACTOR, sizes.rounds(),
            sizes.rawInFlight(), sizes.rawRequests(),
            Runtime.getRuntime().availableProcessors()));

    Throughput mp4j = routed(sizes, perClient);
    section.figure(Side.MP4J, CLIENTS + " clients -> broker -> " + WORKERS + " workers",
        mp4j.format("tasks/s"), mp4j.detail());

    Throughput raw;
    try (RawZmq zmq = RawZmq.start()) {
      raw = Throughput.measure(sizes, sizes.rawRequests(),
          () -> zmq.pipelined(sizes.rawRequests(), sizes.rawInFlight()));
    }
    section.figure(Side.LIMIT, "bare JeroMQ one-hop broker", raw.format("requests/s"),
        raw.detail());
    double ratio = mp4j.perSecond() / raw.perSecond();
    section.figure(Side.MP4J, "routed tasks/s : bare JeroMQ requests/s",
        String.format(Locale.US, "%.2f", ratio), String.format(Locale.US,
            "mp4j routes %.0f%% of the transport's round trips", 100 * ratio));
    section.note("A task is a request and a reply through the broker, like the bare JeroMQ"
        + " request; mp4j adds framing, msgpack, the dispatch by credit and the bookkeeping"
        + " of who holds what.");
    return section;
  }

  private static Throughput routed(Sizes sizes, int perClient) throws Exception {
    String address = "tcp://127.0.0.1:" + RawZmq.freePort();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try (ChildProcess broker = ChildProcess.startJava("broker", "mp4j broker listening on",
            START_TIMEOUT, BrokerMain.class.getName(), "--bind", address);
        ChildProcess workers = ChildProcess.startJava("worker", "processes serving",
            START_TIMEOUT, WorkerMain.class.getName(), "--connect", address,
            "--processes", Integer.toString(WORKERS));
        Pool first = Pool.connect(address, null);
        Pool second = Pool.connect(address, null)) {
      Warmup.awaitWorkers(first, WORKERS);
      List<Pool> pools = List.of(first, second);
      return Throughput.measure(sizes, (long) perClient * CLIENTS, () -> {
        List<Future<?>> rounds = new ArrayList<>();
        for (Pool pool : pools) {
          rounds.add(clients.submit(() -> AsyncBenchmark.applyAllThenGet(pool, perClient)));
        }
        for (Future<?> round : rounds) {
          try {
            round.get();
          } catch (ExecutionException e) {
            throw new IllegalStateException("a client failed", e.getCause());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
        }
      });
    } finally {
      clients.shutdownNow();
    }
  }
}
