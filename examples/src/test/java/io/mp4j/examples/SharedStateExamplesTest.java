package io.mp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seed programs with Value, Array, Lock and a Manager, run as a user runs them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedStateExamplesTest {

  @Test
  void main_printsWhatPythonPrints() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      SharedStateExamples.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(List.of(
        "3.1415927",
        "[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]",
        "10 processes greeted under the lock",
        "{1: '1', '2': 2}",
        "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]"), lines);
  }
}
