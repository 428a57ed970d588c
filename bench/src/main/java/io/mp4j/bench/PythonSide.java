package io.mp4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs {@code mp_bench.py}, the Python {@code multiprocessing} side of each benchmark, and reads
 * the JSON line it prints. When Python or the script is missing, {@link #available()} is false
 * and {@link #missingReason()} says why; the harness then reports the Java figures alone.
 */
final class PythonSide {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    // An interrupted harness must not leave a script and its pool behind.
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> RUNNING.forEach(PythonSide::destroyTree), "mp4j-bench-python"));
  }

  private final String executable;
  private final Path script;
  private final String missingReason;
  private final JsonNode info;

  private PythonSide(String executable, Path script, String missingReason, JsonNode info) {
    this.executable = executable;
    this.script = script;
    this.missingReason = missingReason;
    this.info = info;
  }

  /** A Python side that is not used, for {@code --no-python}. */
  static PythonSide disabled(String reason) {
    return new PythonSide(null, null, reason, null);
  }

  /**
   * Checks that the interpreter runs the script, and reads its version.
   *
   * @param executable such as {@code python3}
   * @param script the path of {@code mp_bench.py}
   * @return a usable side, or one that says why it is not
   */
  static PythonSide locate(String executable, Path script) {
    if (!Files.isRegularFile(script)) {
      return disabled("no Python script at " + script.toAbsolutePath()
          + " (run from the repository root or give --python-script)");
    }
    PythonSide side = new PythonSide(executable, script, null, null);
    try {
      return new PythonSide(executable, script, null, side.run("info"));
    } catch (IOException | RuntimeException e) {
      return disabled("cannot run " + executable + " " + script + ": " + e.getMessage());
    }
  }

  boolean available() {
    return missingReason == null;
  }

  /** Why Python figures are missing; null when they are not. */
  String missingReason() {
    return missingReason;
  }

  /** Such as {@code CPython 3.11.7}. */
  String version() {
    return info.path("implementation").asText() + " " + info.path("python").asText();
  }

  /** The start method {@code multiprocessing.Pool()} uses here by default. */
  String defaultStartMethod() {
    return info.path("start_method").asText();
  }

  /**
   * Runs one benchmark of the script and returns its result line.
   *
   * @param benchmark the script's benchmark name
   * @param args its options
   * @return the JSON object the script printed
   * @throws IOException when the interpreter cannot start
   * @throws IllegalStateException when the script fails or prints no result
   */
  JsonNode run(String benchmark, Object... args) throws IOException {
    if (!available()) {
      throw new IllegalStateException("Python is not available: " + missingReason);
    }
    List<String> command = new ArrayList<>(List.of(executable, script.toString(), benchmark));
    for (Object arg : args) {
      command.add(String.valueOf(arg));
    }
    // Standard error goes straight to ours: Python's tracebacks are for the reader.
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    RUNNING.add(process);
    // A stuck script would block the read below forever; past the deadline it is killed, which
    // ends its output.
    AtomicBoolean timedOut = new AtomicBoolean();
    process.onExit().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> {
      timedOut.set(true);
      destroyTree(process);
      return process;
    });
    try {
      process.getOutputStream().close();
      JsonNode result = null;
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("{")) {
            JsonNode node = JSON.readTree(line);
            if (benchmark.equals(node.path("bench").asText())) {
              result = node;
            }
          } else if (!line.isBlank()) {
            System.err.println("[python] " + line);
          }
        }
      }
      int code = process.waitFor();
      if (timedOut.get()) {
        throw new IllegalStateException("python " + benchmark + " took over "
            + TIMEOUT.toMinutes() + " minutes and was killed");
      }
      if (code != 0) {
        throw new IllegalStateException("python " + benchmark + " exited with code " + code
            + " (its error is above)");
      }
      if (result == null) {
        throw new IllegalStateException("python " + benchmark + " printed no result");
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while python " + benchmark + " ran", e);
    } finally {
      if (process.isAlive()) {
        destroyTree(process);
      }
      RUNNING.remove(process);
    }
  }

  /** Kills a script and the pool workers it started. */
  private static void destroyTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** A JSON array of numbers as doubles. */
  static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asDouble();
    }
    return values;
  }

  /** A JSON array of numbers as longs. */
  static long[] longs(JsonNode array) {
    long[] values = new long[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asLong();
    }
    return values;
  }
}
