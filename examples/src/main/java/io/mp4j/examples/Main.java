package io.mp4j.examples;

import java.util.Arrays;

/**
 * Runs one example by name: {@code java -jar mp4j-examples.jar primes [count] [processes]}, or
 * {@code processes} for the seed programs with Process, Queue and Pipe, {@code shared} for
 * those with Value, Array, Lock and a Manager, or {@code cluster
 * [count] [millis] [chunkSize]} for a map that reports which hosts ran it.
 */
public final class Main {
  private Main() {}

  /**
   * Runs the example named by the first argument, passing it the rest.
   *
   * @param args the example's name, then its arguments
   */
  public static void main(String[] args) {
    String name = args.length > 0 ? args[0] : "primes";
    String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
    switch (name) {
      case "primes" -> PrimeFactors.main(rest);
      case "cluster" -> ClusterMap.main(rest);
      case "shared" -> {
        try {
          SharedStateExamples.main(rest);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case "processes" -> {
        try {
          ProcessesAndQueues.main(rest);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (java.io.EOFException e) {
          throw new IllegalStateException("the pipe ended early", e);
        }
      }
      default -> {
        System.err.println("unknown example " + name + "; the examples are: primes, processes,"
            + " shared, cluster");
        System.exit(2);
      }
    }
  }
}
