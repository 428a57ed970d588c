package io.mp4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seed programs with Process, Queue and Pipe, run as a user runs them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessesAndQueuesTest {

  @Test
  void main_runsEverySeedProgramToTheEnd() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProcessesAndQueues.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    // Process names count up in the JVM, as Python's do, so other tests' processes come first.
    assertTrue(output.split("Process-\\d+ exit code 0", -1).length - 1 == 3, output);
    assertTrue(output.contains("consumed 10 items, sum 55"), output);
    assertTrue(output.contains("parent got: child got 'hello'"), output);
    assertTrue(output.contains("parent got: child got 'world'"), output);
    int consumers = output.split("consumed ", -1).length - 1;
    assertTrue(consumers == 4, output);
    // The three consumers of the last program stop at the first pill each sees; every item of
    // the three producers is consumed all the same.
    int items = 0;
    String[] lines = output.strip().split("\n");
    for (int i = lines.length - 3; i < lines.length; i++) {
      String[] words = lines[i].split(" ");
      items += Integer.parseInt(words[2]);
    }
    assertTrue(items == 300, output);
  }
}
