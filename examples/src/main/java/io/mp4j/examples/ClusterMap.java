package io.mp4j.examples;

import io.mp4j.Pool;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;

/**
 * A map across a cluster that shows where its calls ran: each call factors one integer, takes
 * {@code millis} more to stand for real work, and returns the factors with the worker's host and
 * pid. The client checks every result and prints the calls each host ran. The multi-host test
 * (.ci/multihost.sh) runs it while it cuts one worker host off.
 *
 * <p>Arguments: {@code [count] [millis] [chunkSize]}; the broker comes from {@code MP4J_BROKER}
 * and the key from {@code MP4J_AUTHKEY}, or a local pool runs it. Exits with 1 when a result is
 * wrong or missing.
 */
public final class ClusterMap {
  private ClusterMap() {}

  /** What one call returns: the factors of {@code n} and where they were found. */
  public record Factored(long n, List<Long> factors, String host, long pid) {}

  /** Factors {@code n} on a worker and says which host and process did it. */
  public static Factored work(long n, int millis) throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis); // stands for work that takes this long
    }
    String host = System.getenv("MP4J_HOST");
    return new Factored(n, PrimeFactors.factors(n), host == null ? "?" : host,
        ProcessHandle.current().pid());
  }

  /**
   * Runs the map and checks it.
   *
   * @param args optional count, milliseconds per call and chunk size
   */
  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int millis = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int chunkSize = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    long first = 1_000_000_000L;
    List<Long> numbers = LongStream.range(first, first + count).boxed().toList();
    long start = System.nanoTime();
    List<Factored> results;
    try (Pool pool = Pool.create()) {
      results = pool.map(n -> work(n, millis), numbers, chunkSize);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Integer> callsByHost = new TreeMap<>();
    Map<String, TreeSet<Long>> pidsByHost = new TreeMap<>();
    int wrong = 0;
    for (int i = 0; i < count; i++) {
      Factored result = results.get(i);
      if (result == null || result.n() != numbers.get(i) || !correct(result)) {
        wrong++;
        continue;
      }
      callsByHost.merge(result.host(), 1, Integer::sum);
      pidsByHost.computeIfAbsent(result.host(), h -> new TreeSet<>()).add(result.pid());
    }
    callsByHost.forEach((host, calls) -> System.out.printf("host %s: %,d calls on pids %s%n",
        host, calls, pidsByHost.get(host)));
    if (wrong > 0 || results.size() != count) {
      System.out.printf("FAILED: %,d of %,d results missing or wrong%n", wrong
          + Math.max(0, count - results.size()), count);
      System.exit(1);
    }
    System.out.printf("all %,d results complete and correct in %.1f s%n", count, seconds);
  }

  private static boolean correct(Factored result) {
    long product = 1;
    for (long factor : result.factors()) {
      product *= factor;
    }
    return product == result.n();
  }
}
