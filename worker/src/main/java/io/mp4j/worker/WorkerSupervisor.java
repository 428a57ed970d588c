package io.mp4j.worker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Starts worker JVMs from this JVM's java and classpath (Python's "spawn"), replaces any that
 * exits while the supervisor runs, and kills them all on {@link #close}.
 *
 * <p>Each child's standard input is a pipe from this JVM that is never written; the child exits
 * when it reads end-of-file, so children die with their parent even when the parent is killed
 * with SIGKILL. Used by the client's local Pool and by the {@code worker} daemon. Not for users.
 */
public final class WorkerSupervisor implements AutoCloseable {
  /** The environment variable through which children receive the authkey. */
  public static final String AUTHKEY_ENV = "MP4J_AUTHKEY";
  /** The environment variable through which children learn the host name without a lookup. */
  static final String HOST_ENV = "MP4J_HOST";
  /**
   * The host name the children report: MP4J_HOST when set, so that an operator can label a
   * container or a network namespace that shares its host name with others.
   */
  private static final String HOST = System.getenv(HOST_ENV) != null
      && !System.getenv(HOST_ENV).isBlank() ? System.getenv(HOST_ENV)
      : io.mp4j.protocol.Hello.localHostName();

  /**
   * Worker JVMs run one task at a time on small heaps: the serial collector suits them. The
   * selector provider is named for them (see {@link #selectorProviderOptions}).
   */
  private static final List<String> BASE_JVM_OPTIONS = baseJvmOptions();

  private final String brokerAddress;
  private final byte[] authkey;
  private final String namePrefix;
  private final int maxTasks;
  private final List<String> allowedPackages;
  private final boolean exitOnBrokerLoss;
  /** The children's JVM options: ours, then the caller's, which win where they clash. */
  private final List<String> jvmOptions;
  private final BiConsumer<Long, String> onExit;
  private final Map<Long, Process> children = new ConcurrentHashMap<>();
  private final Set<Long> joined = ConcurrentHashMap.newKeySet();
  private volatile Duration startTimeout;
  private volatile boolean plain;
  private volatile boolean forwardOutput;
  private final ScheduledExecutorService restarts;
  private volatile boolean running = true;
  private int nextIndex;
  /** Reports of dead processes that no living sibling could pass on; the next one started does. */
  private final List<String> unreported = new ArrayList<>();

  /**
   * Creates a supervisor; {@link #start} launches the processes.
   *
   * @param brokerAddress the broker the children connect to
   * @param authkey the broker's key, or null
   * @param namePrefix the children's names start with this
   * @param maxTasks tasks each child runs before it is replaced; 0 for no limit
   * @param allowedPackages package prefixes whose tasks the children run; empty for any
   * @param exitOnBrokerLoss whether children exit when the broker goes silent
   * @param jvmOptions extra options for the children's JVMs
   * @param onExit called with the pid and a description of how the process ended
   */
  public WorkerSupervisor(String brokerAddress, byte[] authkey, String namePrefix, int maxTasks,
      List<String> allowedPackages, boolean exitOnBrokerLoss, List<String> jvmOptions,
      BiConsumer<Long, String> onExit) {
    this.brokerAddress = Objects.requireNonNull(brokerAddress);
    this.authkey = authkey;
    this.namePrefix = namePrefix;
    this.maxTasks = maxTasks;
    this.allowedPackages = List.copyOf(allowedPackages);
    this.exitOnBrokerLoss = exitOnBrokerLoss;
    List<String> options = new ArrayList<>(BASE_JVM_OPTIONS);
    options.addAll(initialHeapOptions(jvmOptions));
    options.addAll(jvmOptions);
    this.jvmOptions = List.copyOf(options);
    this.onExit = onExit;
    this.restarts = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mp4j-supervisor");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Launches {@code count} worker processes.
   *
   * @throws UncheckedIOException when a process cannot be started
   */
  public void start(int count) {
    for (int i = 0; i < count; i++) {
      launch();
    }
  }

  /** The pids of the worker processes alive now. */
  public List<Long> pids() {
    return new ArrayList<>(children.keySet());
  }

  /**
   * Waits until the class-data archive that the first pool of this JVM may have called for is
   * written, starting its training run if that still waits, so that a benchmark can time pools
   * that start from it. Not for users.
   *
   * @return whether no training run is left going
   */
  public static boolean awaitClassDataArchive(Duration timeout) {
    return ClassDataCache.awaitTraining(timeout);
  }

  /**
   * Kills any process that has not been {@linkplain #joined joined} this long after its start,
   * and starts another: a worker JVM that hangs before it reaches the broker must not hold a
   * place in the pool for ever. Off until set.
   */
  public void startTimeout(Duration value) {
    this.startTimeout = value;
  }

  /**
   * Makes the processes started from now on connect without CurveZMQ even with an authkey: for a
   * local pool's broker, which listens on loopback for its own children alone.
   */
  public void plainTransport() {
    this.plain = true;
  }

  /**
   * Makes the processes started from now on send what their tasks print to the tasks' clients,
   * for a daemon on another host than its clients.
   */
  public void forwardOutput() {
    this.forwardOutput = true;
  }

  /** Records that a process reached the broker. Returns at once. */
  public void joined(long pid) {
    joined.add(pid);
  }

  /**
   * Kills one of this supervisor's processes, which is then replaced; a pid it does not own is
   * ignored. Returns at once.
   */
  public void kill(long pid) {
    Process process = children.get(pid);
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private static List<String> baseJvmOptions() {
    List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData"));
    options.addAll(selectorProviderOptions());
    return List.copyOf(options);
  }

  /**
   * A worker starts on a 64 MB heap, which grows as its tasks need, unless its own options size
   * the heap. The JVM's default initial heap is 1/64 of the machine's memory (384 MB on 24 GB),
   * and the serial collector gives a third of it to the young generation: a worker then spent
   * its first maps touching fresh memory, which costs much on virtual machines (about 12,000
   * page faults and 0.15 to 0.25 s of a worker's CPU in each of the seed demo's first two maps).
   */
  static List<String> initialHeapOptions(List<String> jvmOptions) {
    boolean sized = jvmOptions.stream().anyMatch(option -> option.startsWith("-Xms")
        || option.startsWith("-Xmx") || option.startsWith("-Xmn")
        || option.contains("HeapSize") || option.contains("NewSize")
        || option.contains("RAMPercentage") || option.startsWith("-XX:MaxRAM"));
    return sized ? List.of() : List.of("-Xms64m");
  }

  /**
   * Names the JDK's own selector provider to a worker JVM. Unnamed, the first socket or pipe of a
   * JVM has a {@code ServiceLoader} look for a provider in every jar on the classpath: 40 ms of a
   * JVM's start-up with the 14 jars of the benchmark's classpath, 14 ms when named (more jars,
   * more time). Named only when this JVM uses the JDK's provider, from the same {@code java} the
   * workers run, so a worker uses the provider it would have found. The JDK instantiates the
   * named class from within {@code java.base}, so the package need not be exported to us.
   */
  static List<String> selectorProviderOptions() {
    Class<?> type = SelectorProvider.provider().getClass();
    boolean jdkOwn = type.getModule() == Object.class.getModule()
        && type.getPackageName().equals("sun.nio.ch")
        && Modifier.isPublic(type.getModifiers());
    try {
      if (!jdkOwn || !Modifier.isPublic(type.getConstructor().getModifiers())) {
        return List.of();
      }
    } catch (NoSuchMethodException e) {
      return List.of();
    }
    return List.of("-Djava.nio.channels.spi.SelectorProvider=" + type.getName());
  }

  private synchronized void launch() {
    if (!running) {
      return;
    }
    String name = namePrefix + "-" + (++nextIndex);
    List<String> command = new ArrayList<>();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    command.add(java);
    command.addAll(jvmOptions);
    command.addAll(ClassDataCache.options(java, jvmOptions, classpath));
    command.add("-cp");
    command.add(classpath);
    command.add(WorkerChild.class.getName());
    command.add("connect=" + brokerAddress);
    command.add("name=" + name);
    if (maxTasks > 0) {
      command.add("max-tasks=" + maxTasks);
    }
    if (exitOnBrokerLoss) {
      command.add("exit-on-broker-loss");
    }
    if (plain) {
      command.add("plain");
    }
    if (forwardOutput) {
      command.add("forward-output");
    }
    for (String prefix : allowedPackages) {
      command.add("allow=" + prefix);
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .directory(new File(System.getProperty("user.dir")));
    builder.environment().put(HOST_ENV, HOST);
    if (authkey != null) {
      builder.environment().put(AUTHKEY_ENV, new String(authkey, StandardCharsets.UTF_8));
    } else {
      builder.environment().remove(AUTHKEY_ENV);
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a worker JVM: " + command.get(0), e);
    }
    long pid = process.pid();
    long started = System.nanoTime();
    for (String report : unreported) {
      tell(process, report);
    }
    unreported.clear();
    children.put(pid, process);
    process.onExit().whenCompleteAsync((p, error) -> exited(pid, process, started), restarts);
    Duration limit = startTimeout;
    if (limit != null) {
      restarts.schedule(() -> {
        if (process.isAlive() && !joined.contains(pid)) {
          WorkerLog.LOG.log(Level.WARNING, "worker process " + pid
              + " did not reach the broker within " + limit.toMillis() + " ms; killing it");
          process.destroyForcibly();
        }
      }, limit.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void exited(long pid, Process process, long started) {
    children.remove(pid);
    joined.remove(pid);
    if (!running) {
      return;
    }
    int code = process.exitValue();
    String cause = describeExit(code);
    if (onExit != null) {
      onExit.accept(pid, cause);
    } else if (code != 0) {
      reportToSiblings(pid, cause);
    }
    if (code != 0) {
      WorkerLog.LOG.log(Level.INFO, "worker process " + pid + " " + cause + "; starting another");
    }
    long livedMillis = (System.nanoTime() - started) / 1_000_000;
    long delay = code != 0 && livedMillis < 1000 ? 1000 : 0;
    restarts.schedule(() -> {
      try {
        launch();
      } catch (UncheckedIOException e) {
        WorkerLog.LOG.log(Level.ERROR, "cannot replace worker process " + pid, e);
      }
    }, delay, TimeUnit.MILLISECONDS);
  }



  /**
   * A daemon has no handle on the broker, but its processes each have a connection: the living
   * ones are told on their standard input that a sibling died, and they tell the broker, which
   * moves the dead one's tasks at once instead of after its heartbeat timeout. With no sibling
   * alive, the process started next tells it.
   */
  private synchronized void reportToSiblings(long pid, String cause) {
    String report = "exited " + pid + " " + cause.replace('\n', ' ');
    boolean told = false;
    for (Process sibling : children.values()) {
      told |= tell(sibling, report);
    }
    if (!told) {
      unreported.add(report);
    }
  }

  private static boolean tell(Process process, String report) {
    try {
      var input = process.getOutputStream();
      input.write((report + "\n").getBytes(StandardCharsets.UTF_8));
      input.flush();
      return true;
    } catch (IOException e) {
      return false; // that process is dying too
    }
  }

  /**
   * Stops the processes gently, as a daemon does on SIGTERM: each is sent SIGTERM, on which it
   * asks the broker for no more tasks, finishes those it holds, and exits. Any still running at
   * the timeout is killed. Nothing is restarted.
   *
   * @return whether every process finished within the timeout
   */
  public boolean drain(Duration timeout) {
    running = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Process> stopping = new ArrayList<>(children.values());
    for (Process process : stopping) {
      // Through the handle: Process.destroy also closes the child's standard input, and a
      // worker takes end-of-file there for its parent's death and halts at once.
      process.toHandle().destroy();
    }
    boolean all = true;
    for (Process process : stopping) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
          all = false;
          WorkerLog.LOG.log(Level.WARNING, "worker process " + process.pid()
              + " did not finish its tasks within " + timeout.toMillis() + " ms; killing it");
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    return all;
  }

  /** How a process with this exit code ended, in words. */
  static String describeExit(int code) {
    if (code > 128 && code < 160) {
      int signal = code - 128;
      String name = switch (signal) {
        case 9 -> "SIGKILL";
        case 15 -> "SIGTERM";
        case 6 -> "SIGABRT";
        case 11 -> "SIGSEGV";
        case 2 -> "SIGINT";
        default -> "signal " + signal;
      };
      return "process was killed by " + name + " (exit code " + code + ")";
    }
    return "process exited with code " + code;
  }

  /** Stops replacing processes and kills every child; idempotent. */
  @Override
  public void close() {
    running = false;
    for (Process process : children.values()) {
      process.destroyForcibly();
    }
    for (Process process : children.values()) {
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    restarts.shutdownNow();
    ClassDataCache.startWaitingTraining();
  }
}
