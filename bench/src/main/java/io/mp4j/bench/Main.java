package io.mp4j.bench;

/** The benchmark harness; see docs/benchmarks.md. */
public final class Main {
  private Main() {}

  /**
   * Runs the benchmarks.
   *
   * @param args unused for now
   */
  public static void main(String[] args) {
    System.out.println("no benchmarks yet");
  }
}
