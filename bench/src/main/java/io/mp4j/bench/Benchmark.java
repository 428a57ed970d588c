package io.mp4j.bench;

import java.util.concurrent.Callable;

/** One of the harness's benchmarks: mp4j, Python and the limit, measured one after the other. */
interface Benchmark {
  /** What the harness passes to every benchmark. */
  record Context(Sizes sizes, int processes, PythonSide python) {}

  /** The name {@code --only} selects it by. */
  String key();

  /** The heading of its section. */
  String title();

  /** Measures everything and judges the goals. */
  Section run(Context context) throws Exception;

  /**
   * Runs the Python side of a benchmark. A missing interpreter or a failing script does not stop
   * the harness: the section gets a note, and goals that need the figure are not judged.
   *
   * @return the Python result, or null when there is none
   */
  static <T> T python(Context context, Section section, Callable<T> measurement) {
    if (!context.python().available()) {
      section.note("Python not measured: " + context.python().missingReason());
      return null;
    }
    try {
      return measurement.call();
    } catch (Exception e) {
      section.note("Python failed: " + e.getMessage());
      return null;
    }
  }
}
