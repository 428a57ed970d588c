package io.mp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process this harness started, such as a standalone broker or a raw JeroMQ echo, that counts
 * as started once it prints a given line. Its standard output and error are merged and copied
 * to this JVM's standard error with its name in front, so they never fill a pipe and stall it.
 *
 * <p>{@link #close()} stops it and everything it started; a shutdown hook closes any still
 * running when this JVM exits, so an interrupted benchmark leaves no processes behind.
 */
final class ChildProcess implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> List.copyOf(RUNNING).forEach(ChildProcess::close), "mp4j-bench-children"));
  }

  private final String name;
  private final Process process;
  private final CompletableFuture<String> ready = new CompletableFuture<>();

  private ChildProcess(String name, Process process, String readyText) {
    this.name = name;
    this.process = process;
    Thread pump = new Thread(() -> pump(readyText), "mp4j-bench-" + name + "-output");
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts a JVM on this JVM's java and classpath and waits until it prints a line holding
   * {@code readyText}.
   *
   * @param name a short name for messages
   * @param readyText the text that says the process is ready
   * @param timeout how long to wait for that line
   * @param mainClass the class to run
   * @param args its arguments
   * @return the running process
   */
  static ChildProcess startJava(String name, String readyText, Duration timeout,
      String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return start(name, command, readyText, timeout);
  }

  /**
   * Starts a command and waits until it prints a line holding {@code readyText}.
   *
   * @throws IllegalStateException when it exits or stays silent past the timeout
   */
  static ChildProcess start(String name, List<String> command, String readyText,
      Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // A key in the environment would make the standalone broker demand it from the pool.
    builder.environment().remove("MP4J_AUTHKEY");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command.get(0), e);
    }
    ChildProcess child = new ChildProcess(name, process, readyText);
    RUNNING.add(child);
    try {
      child.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return child;
    } catch (TimeoutException e) {
      child.close();
      throw new IllegalStateException(name + " printed no \"" + readyText + "\" within "
          + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      child.close();
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      child.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + name, e);
    }
  }

  private void pump(String readyText) {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        System.err.println("[" + name + "] " + line);
        if (!ready.isDone() && line.contains(readyText)) {
          ready.complete(line);
        }
      }
    } catch (IOException e) {
      // The stream closes when the process is destroyed; nothing is left to copy.
    }
    if (!ready.isDone()) {
      String code = process.isAlive() ? "closed its output" : "exited with code "
          + process.onExit().join().exitValue();
      ready.completeExceptionally(new IllegalStateException(
          name + " " + code + " before printing \"" + readyText + "\""));
    }
  }

  /**
   * Stops the process and every process it started: politely first, so that brokers and worker
   * daemons run their shutdown hooks, then by force after a grace period. Idempotent.
   */
  @Override
  public void close() {
    if (!RUNNING.remove(this)) {
      return;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    // Grandchildren normally exit with their parent; these are the ones that did not.
    for (ProcessHandle handle : descendants) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
        handle.onExit().completeOnTimeout(handle, STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)
            .join();
      }
    }
  }
}
