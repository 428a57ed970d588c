package io.mp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seed demo, run as a user runs it, on a small range. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrimeFactorsTest {

  @Test
  void factors_multiplyBackAndArePrime() {
    assertEquals(List.of(2L, 2L, 5L, 5L), PrimeFactors.factors(100));
    assertEquals(List.of(1_000_000_007L), PrimeFactors.factors(1_000_000_007L));
    for (long n = 1_000_000_000L; n < 1_000_000_050L; n++) {
      long product = 1;
      for (long factor : PrimeFactors.factors(n)) {
        assertEquals(List.of(factor), PrimeFactors.factors(factor));
        product *= factor;
      }
      assertEquals(n, product);
    }
  }

  @Test
  void main_printsBothTimesAndTheSpeedup() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Main.main(new String[] {"primes", "3000", "2"});
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("sequential: "), output);
    assertTrue(output.contains("parallel:   "), output);
    assertTrue(output.contains("speedup:    "), output);
    assertTrue(output.contains("1,000,002,999 = "), output);
  }
}
