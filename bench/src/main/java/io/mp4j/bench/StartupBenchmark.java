package io.mp4j.bench;

import com.sun.management.OperatingSystemMXBean;
import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Benchmark 5: from creating a pool to the first result of a trivial apply. */
final class StartupBenchmark implements Benchmark {
  static final double GOAL_MILLIS = 300;

  @Override
  public String key() {
    return "startup";
  }

  @Override
  public String title() {
    return "Pool start-up";
  }

  @Override
  public Section run(Context context) throws Exception {
    int runs = context.sizes().startupRuns();
    int processes = context.processes();
    int cores = Runtime.getRuntime().availableProcessors();
    Section section = new Section(key(), title(),
        String.format(Locale.US, "Time from creating a pool of %d to the first result of"
            + " apply(x -> x * x, 1); closing the pool is not timed. %d fresh pools one after"
            + " the other in one process: the first (cold: in Java the first pool this JVM"
            + " creates, since this benchmark runs first) is reported apart, the median is of"
            + " the other %d, timed after the class-data archive of worker JVMs that the first"
            + " pool on a classpath makes (docs/architecture.md) was written. The limit: the"
            + " CPU time this JVM and the pool's worker JVMs had used when the first result"
            + " came, over the machine's %d cores (read from the system after the timing, in its"
            + " clock ticks): the pool cannot start sooner on these cores while its JVMs do that"
            + " much work.",
            processes, runs + 1, runs, cores));

    OperatingSystemMXBean cpu =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] mp4j = new double[runs + 1];
    double[] cpuBound = new double[runs + 1];
    for (int i = 0; i < mp4j.length; i++) {
      long cpuBefore = cpu.getProcessCpuTime();
      Set<Long> earlier = childPids();
      long start = System.nanoTime();
      try (Pool pool = Pool.create(processes)) {
        pool.apply(Tasks.SQUARE, 1);
        mp4j[i] = (System.nanoTime() - start) / 1e6;
        long used = cpu.getProcessCpuTime() - cpuBefore + childrenCpuNanos(earlier);
        cpuBound[i] = used / 1e6 / cores;
      }
      if (i == 0) {
        // The first pool on a classpath of jars has the class-data archive for worker JVMs made
        // in the background once it closes; the other pools are timed once it is there, as every
        // later run is.
        io.mp4j.worker.WorkerSupervisor.awaitClassDataArchive(Duration.ofSeconds(60));
      }
    }
    double median = figure(section, Side.MP4J, "Pool.create(" + processes + ")", mp4j);
    double cpuMedian = figure(section, Side.LIMIT,
        "CPU of this JVM and its workers by then, over the cores", cpuBound);
    double busy = cpuMedian / median;
    section.note(String.format(Locale.US, "By the first result this JVM and the worker JVMs had"
        + " used %s of CPU per core, %.0f%% of the median start-up%s.", millis(cpuMedian),
        100 * busy, busy >= 0.8 ? ": for nearly all of it the cores were busy with these JVMs"
            : ""));

    for (String method : new String[] {"spawn", "fork"}) {
      double[] python = Benchmark.python(context, section, () -> {
        double[] seconds = PythonSide.doubles(context.python().run("startup", "--method",
            method, "--runs", runs, "--processes", processes).get("samples_s"));
        return Arrays.stream(seconds).map(s -> s * 1e3).toArray();
      });
      if (python != null) {
        figure(section, Side.PYTHON, "Pool(" + processes + "), '" + method + "'", python);
      }
    }

    section.goal("mp4j median <= " + (int) GOAL_MILLIS + " ms", millis(median),
        median <= GOAL_MILLIS);
    return section;
  }

  private static Set<Long> childPids() {
    return ProcessHandle.current().descendants().map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /**
   * The CPU time used so far by this JVM's processes but the {@code earlier} ones: the pool's
   * workers (the class-data training JVM starts only when the first pool closes).
   */
  private static long childrenCpuNanos(Set<Long> earlier) {
    return ProcessHandle.current().descendants()
        .filter(child -> !earlier.contains(child.pid()))
        .mapToLong(child -> child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
        .sum();
  }

  /** Adds the median of the warm runs with the cold run in the detail; returns the median. */
  private static double figure(Section section, Side side, String what, double[] millis) {
    double[] warm = Arrays.copyOfRange(millis, 1, millis.length);
    double median = Stats.median(warm);
    section.figure(side, what, "median " + millis(median), String.format(Locale.US,
        "cold first run %s; the other %d: %s-%s", millis(millis[0]), warm.length,
        millis(Stats.min(warm)), millis(Stats.max(warm))));
    return median;
  }

  private static String millis(double value) {
    return String.format(Locale.US, "%.1f ms", value);
  }
}
