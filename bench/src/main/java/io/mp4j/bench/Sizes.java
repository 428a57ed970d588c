package io.mp4j.bench;

/**
 * How much work each benchmark does. {@link #full()} is what docs/benchmarks.md reports;
 * {@link #quick()} only checks that everything runs, and its numbers mean nothing.
 *
 * @param warmupRounds untimed rounds before the timed ones, for map and applyAsync
 * @param rounds timed rounds for map, applyAsync and the raw JeroMQ pipeline (median reported)
 * @param mapItems ints squared by one map
 * @param asyncTasks applyAsync calls per round
 * @param rawRequests requests per round through the raw JeroMQ broker
 * @param rawInFlight requests kept outstanding through the raw JeroMQ broker
 * @param applyWarmup untimed apply calls before the timed ones
 * @param applyCalls timed sequential apply calls
 * @param factorCount ints factored by Java, from 1,000,000,000
 * @param factorWarmup ints factored first to warm the JIT and the pool
 * @param pythonFactorCount ints factored by Python
 * @param pythonFactorWarmup ints factored first by Python's pool
 * @param startupRuns timed fresh pools, after one cold run reported apart
 */
record Sizes(int warmupRounds, int rounds, int mapItems, int asyncTasks, int rawRequests,
    int rawInFlight, int applyWarmup, int applyCalls, int factorCount, int factorWarmup,
    int pythonFactorCount, int pythonFactorWarmup, int startupRuns, int queueItems,
    int pipeCalls, int processCycles) {

  static Sizes full() {
    // 50,000 warm-up applies: with 2,000, the JVMs were still compiling the path while it was
    // timed (p50 270 µs, p99 4.5 ms; after 60,000: 130 µs and 0.2 ms).
    // 6 warm-up rounds: rounds of 50,000 applyAsync calls through one pool of 2 took 2.54,
    // 1.16, 0.61, 0.48, 0.37, 0.25, then 0.17 to 0.26 s, the worker JVMs' compiler threads
    // busy for 1.5 s in the first two rounds and 0.3 s in the fifth; with 2 warm-up rounds the
    // timed median was one of the still-compiling rounds.
    return new Sizes(6, 5, 1_000_000, 50_000, 200_000, 1_000, 50_000, 5_000, 200_000, 2_000,
        10_000, 200, 5, 20_000, 2_000, 50);
  }

  static Sizes quick() {
    return new Sizes(1, 2, 20_000, 2_000, 10_000, 1_000, 200, 500, 5_000, 200, 500, 50, 2,
        2_000, 200, 10);
  }
}
