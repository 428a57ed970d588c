package io.mp4j.worker;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of a worker JVM started by a {@link WorkerSupervisor}. It takes its settings
 * as {@code key=value} arguments written by the supervisor, not a user's command line, so it
 * needs no option parser: a child JVM reaches its first task sooner without one.
 */
public final class WorkerChild {
  private WorkerChild() {}

  /**
   * Runs one worker until it retires, the broker refuses it, or the parent dies.
   *
   * @param args {@code connect=ADDRESS name=NAME [max-tasks=N] [exit-on-broker-loss]
   *     [allow=PACKAGE]...}; the authkey comes from the environment
   */
  public static void main(String[] args) throws IOException {
    watchParent();
    if (args.length == 1 && args[0].equals("train")) {
      System.exit(ClassDataTraining.run());
    }
    String connect = null;
    String name = "worker";
    int maxTasks = 0;
    boolean exitOnBrokerLoss = false;
    boolean plain = false;
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
        case "allow" -> allowed.add(value);
        default -> throw new IllegalArgumentException("unknown worker setting " + arg);
      }
    }
    if (connect == null) {
      throw new IllegalArgumentException("connect=ADDRESS is required");
    }
    WorkerConfig config = new WorkerConfig()
        .brokerAddress(connect)
        .authkey(WorkerMain.readAuthkey(null))
        .name(name)
        .maxTasks(maxTasks)
        .allowedPackages(allowed)
        .exitOnBrokerLoss(exitOnBrokerLoss)
        .encrypt(!plain)
        .brokerTimeout(Duration.ofSeconds(exitOnBrokerLoss ? 10 : 5));
    System.exit(new WorkerProcess(config).run());
  }

  /** Exits as soon as standard input ends, which happens when the parent process dies. */
  private static void watchParent() {
    Thread watcher = new Thread(() -> {
      InputStream in = System.in;
      try {
        while (in.read() >= 0) {
          // The parent never writes; any byte is ignored.
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
