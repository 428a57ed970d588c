package io.mp4j.examples;

import java.util.Arrays;

/**
 * Runs one example by name: {@code java -jar mp4j-examples.jar primes [count] [processes]}.
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
      default -> {
        System.err.println("unknown example " + name + "; the examples are: primes");
        System.exit(2);
      }
    }
  }
}
