package io.mp4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The multi-host test's map, on a local pool: it checks its results and says where they ran. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterMapTest {

  @Test
  void main_checksEveryResultAndCountsCallsByHost() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Main.main(new String[] {"cluster", "60", "1", "5"});
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("all 60 results complete and correct"), output);
    assertTrue(output.matches("(?s)host \\S+: 60 calls on pids \\[\\d+.*"), output);
  }
}
