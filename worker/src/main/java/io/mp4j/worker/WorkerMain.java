package io.mp4j.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code worker} command: a daemon that runs N worker JVMs connected to a broker and replaces
 * any that dies.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Runs mp4j worker processes that take tasks from a broker.")
public final class WorkerMain implements Callable<Integer> {
  @Option(names = "--connect", required = true,
      description = "The broker's address, e.g. tcp://broker-host:5555.")
  String connect;

  @Option(names = "--processes", defaultValue = "0",
      description = "Worker processes to run (default: the number of cores).")
  int processes;

  @Option(names = "--authkey-file",
      description = "A file holding the broker's authkey (else the MP4J_AUTHKEY environment"
          + " variable).")
  Path authkeyFile;

  @Option(names = "--max-tasks-per-child", defaultValue = "0",
      description = "Replace each worker process after this many tasks (0: never).")
  int maxTasksPerChild;

  @Option(names = "--allow-package",
      description = "Run only tasks whose class is in this package (repeatable).")
  List<String> allowedPackages = new ArrayList<>();

  @Option(names = "--name", defaultValue = "worker", description = "A name for status output.")
  String name;

  @Option(names = "--classpath", paramLabel = "PATH",
      description = "Jars or directories holding your tasks, separated by '"
          + "${sys:path.separator}'; added to the worker processes' class path.")
  String classpath;

  @Option(names = "--jvm-option", paramLabel = "OPTION",
      description = "An option for the worker processes' JVMs, e.g. --jvm-option=-Xmx4g"
          + " (repeatable). They start on a 64 MB heap that grows as needed, unless an option"
          + " sizes it.")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--drain-timeout-ms", defaultValue = "300000",
      description = "On SIGTERM, how long the worker processes may take to finish the tasks they"
          + " hold before they are killed (default: ${DEFAULT-VALUE}).")
  long drainTimeoutMillis;

  /** Runs the command; see {@code --help}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkerMain()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    byte[] authkey = readAuthkey(authkeyFile);
    int count = processes > 0 ? processes : Runtime.getRuntime().availableProcessors();
    if (classpath != null && !classpath.isBlank()) {
      // The supervisor starts its children with this JVM's class path; the daemon itself never
      // loads a task class, so the user's jars need only reach the children.
      System.setProperty("java.class.path", System.getProperty("java.class.path")
          + java.io.File.pathSeparator + classpath);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    WorkerSupervisor supervisor = new WorkerSupervisor(connect, authkey, name, maxTasksPerChild,
        allowedPackages, false, jvmOptions, null);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM drains: the processes finish what they hold and take nothing more.
      System.err.println("mp4j worker: draining");
      boolean drained = supervisor.drain(Duration.ofMillis(drainTimeoutMillis));
      System.err.println("mp4j worker: " + (drained ? "drained; exiting"
          : "killed the processes still busy at the drain timeout; exiting"));
      stopped.countDown();
      System.err.flush();
      // A JVM ended by a signal exits 143 once its hooks are done; a finished drain is a success.
      Runtime.getRuntime().halt(drained ? 0 : 1);
    }, "mp4j-worker-shutdown"));
    supervisor.forwardOutput();
    supervisor.start(count);
    System.err.println("mp4j worker: " + count + " processes serving " + connect);
    stopped.await();
    return 0;
  }

  /** Reads the authkey from a file or from the environment; null when neither is set. */
  static byte[] readAuthkey(Path file) throws IOException {
    if (file != null) {
      return Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
    }
    return WorkerChild.authkeyFromEnvironment();
  }
}
