package io.mp4j.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of a worker JVM started by a {@link WorkerSupervisor}. It takes its settings
 * as {@code key=value} arguments written by the supervisor, not a user's command line, so it
 * needs no option parser: a child JVM reaches its first task sooner without one.
 */
public final class WorkerChild {
  /** The longest a drain may take here; the daemon has a limit of its own. */
  private static final Duration DRAIN_LIMIT = Duration.ofHours(24);
  /** The worker, once made, for the reports that its parent writes on standard input. */
  private static final CompletableFuture<WorkerProcess> PROCESS = new CompletableFuture<>();

  private WorkerChild() {}

  /**
   * Runs one worker until it retires, the broker refuses it, or the parent dies.
   *
   * @param args {@code connect=ADDRESS name=NAME [max-tasks=N] [exit-on-broker-loss]
   *     [allow=PACKAGE]...}; the authkey comes from the environment
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 1 && args[0].equals("train")) {
      // Not tied to the parent: the run ends by itself, and its archive is for the next program.
      System.exit(ClassDataTraining.run());
    }
    watchParent();
    String connect = null;
    String name = "worker";
    int maxTasks = 0;
    boolean exitOnBrokerLoss = false;
    boolean plain = false;
    boolean forwardOutput = false;
    List<String> allowed = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String key = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? "" : arg.substring(eq + 1);
      switch (key) {
        case "connect" -> connect = value;
        case "name" -> name = value;
        case "max-tasks" -> maxTasks = Integer.parseInt(value);
        case "exit-on-broker-loss" -> exitOnBrokerLoss = true;
        case "plain" -> plain = true;
        case "forward-output" -> forwardOutput = true;
        case "allow" -> allowed.add(value);
        default -> throw new IllegalArgumentException("unknown worker setting " + arg);
      }
    }
    if (connect == null) {
      throw new IllegalArgumentException("connect=ADDRESS is required");
    }
    WorkerConfig config = new WorkerConfig()
        .brokerAddress(connect)
        .authkey(authkeyFromEnvironment())
        .name(name)
        .maxTasks(maxTasks)
        .allowedPackages(allowed)
        .exitOnBrokerLoss(exitOnBrokerLoss)
        .encrypt(!plain)
        .forwardOutput(forwardOutput)
        .brokerTimeout(Duration.ofSeconds(exitOnBrokerLoss ? 10 : 5));
    WorkerProcess process = new WorkerProcess(config);
    // SIGTERM (a daemon stopping) drains: the tasks held are finished and answered first. After
    // run has returned, as on System.exit, there is nothing left to drain.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> process.drain(DRAIN_LIMIT),
        "mp4j-drain"));
    PROCESS.complete(process);
    System.exit(process.run());
  }

  /** The authkey the supervisor put in the environment; null when it put none. */
  static byte[] authkeyFromEnvironment() {
    String key = System.getenv(WorkerSupervisor.AUTHKEY_ENV);
    return key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the parent's reports on standard input, and exits as soon as it ends, which happens
   * when the parent process dies. The only report is {@code exited PID CAUSE}: a sibling died,
   * and this worker tells the broker (see {@link WorkerSupervisor}).
   */
  private static void watchParent() {
    Thread watcher = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String[] parts = line.split(" ", 3);
          if (parts.length == 3 && parts[0].equals("exited")) {
            try {
              long pid = Long.parseLong(parts[1]);
              PROCESS.thenAccept(process -> process.reportSiblingExited(pid, parts[2]));
            } catch (NumberFormatException e) {
              // Not a report this worker understands; the parent writes nothing else.
            }
          }
        }
      } catch (IOException e) {
        // A broken pipe means the parent is gone, as end-of-file does.
      }
      Runtime.getRuntime().halt(0);
    }, "mp4j-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
