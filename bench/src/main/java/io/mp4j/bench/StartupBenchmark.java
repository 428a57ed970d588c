package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Benchmark 5: from creating a pool to the first result of a trivial apply. */
final class StartupBenchmark implements Benchmark {
  static final double GOAL_MILLIS = 300;
  private static final Duration EMPTY_JVM_TIMEOUT = Duration.ofSeconds(60);

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
            + " much work. Beside it, %d JVMs of the same java with an empty main, started at"
            + " once, timed until all exited, after each of the pools but the first: what the"
            + " JVM's own start costs here, before any of mp4j's work.",
            processes, runs + 1, runs, cores, processes));

    double[] mp4j = new double[runs + 1];
    double[] cpuBound = new double[runs + 1];
    double[] emptyJvms = new double[runs];
    for (int i = 0; i < mp4j.length; i++) {
      long cpuBefore = CpuTime.thisJvmNanos();
      // The class-data training JVM starts only when the first pool closes, so the processes
      // started in the window are the pool's workers.
      Set<Long> earlier = CpuTime.descendantPids();
      long start = System.nanoTime();
      try (Pool pool = Pool.create(processes)) {
        pool.apply(Tasks.SQUARE, 1);
        mp4j[i] = (System.nanoTime() - start) / 1e6;
        long used = CpuTime.thisJvmNanos() - cpuBefore + CpuTime.descendantsNanos(
            pid -> !earlier.contains(pid));
        cpuBound[i] = used / 1e6 / cores;
      }
      if (i == 0) {
        // The first pool on a classpath of jars has the class-data archive for worker JVMs made
        // in the background once it closes; the other pools are timed once it is there, as every
        // later run is.
        io.mp4j.worker.WorkerSupervisor.awaitClassDataArchive(Duration.ofSeconds(60));
      } else {
        emptyJvms[i - 1] = emptyJvmsMillis(processes);
      }
    }
    double median = figure(section, Side.MP4J, "Pool.create(" + processes + ")", mp4j);
    double cpuMedian = figure(section, Side.LIMIT,
        "CPU of this JVM and its workers by then, over the cores", cpuBound);
    double emptyMedian = Stats.median(emptyJvms);
    section.figure(Side.LIMIT, processes + " JVMs with an empty main, started at once, until"
        + " all exited", "median " + millis(emptyMedian), String.format(Locale.US,
        "%d runs, one after each warm pool: %s-%s", runs, millis(Stats.min(emptyJvms)),
        millis(Stats.max(emptyJvms))));
    double busy = cpuMedian / median;
    section.note(String.format(Locale.US, "By the first result this JVM and the worker JVMs had"
        + " used %s of CPU per core, %.0f%% of the median start-up%s.", millis(cpuMedian),
        100 * busy, busy >= 0.8 ? ": for nearly all of it the cores were busy with these JVMs"
            : ""));
    section.note(String.format(Locale.US, "%d JVMs that only start and exit took %s here, %.0f%%"
        + " of the median start-up, before loading any of mp4j's classes, connecting to the"
        + " broker or running a task.", processes, millis(emptyMedian),
        100 * emptyMedian / median));

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

  /** Starts {@code count} JVMs running {@link EmptyMain} at once and waits until all exited. */
  private static double emptyJvmsMillis(int count) throws IOException, InterruptedException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), EmptyMain.class.getName());
    List<Process> started = new ArrayList<>();
    try {
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        started.add(new ProcessBuilder(command).redirectOutput(Redirect.DISCARD)
            .redirectError(Redirect.DISCARD).start());
      }
      for (Process process : started) {
        if (!process.waitFor(EMPTY_JVM_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("a JVM with an empty main did not exit within "
              + EMPTY_JVM_TIMEOUT.toSeconds() + " s");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException("a JVM with an empty main exited with code "
              + process.exitValue() + ": " + String.join(" ", command));
        }
      }
      return (System.nanoTime() - start) / 1e6;
    } finally {
      started.forEach(Process::destroyForcibly);
    }
  }

  /** A program that does nothing: the start of a JVM and nothing else. */
  static final class EmptyMain {
    private EmptyMain() {}

    public static void main(String[] args) {}
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
