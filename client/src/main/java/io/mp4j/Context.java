package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * One broker and what is shared through it: pools of workers and queues, as CPython's context
 * makes its Pool and Queue. Everything made from one context can be used together: a queue
 * passed to a task of the context's pool arrives as a working queue in the worker.
 *
 * <ul>
 *   <li>{@link #local()}: a broker embedded in this JVM, with worker JVMs on this machine started
 *       as pools ask for them; closing the context ends them all.
 *   <li>{@link #connect(String, String)}: a standalone broker and its workers, on any host. Two
 *       programs connected to one broker share a queue by opening the same name.
 * </ul>
 *
 * <p>Queues live in the broker: their items outlive the process that put them and reach a
 * consumer on any host.
 */
public final class Context extends SharedObjects implements AutoCloseable {
  private final LocalCluster cluster;
  private final ClientConnection connection;
  private final String address;
  private final String authkey;
  private volatile boolean closed;
  private RemoteBackend processes;
  private final List<Process> running = new java.util.ArrayList<>();
  private int runningCount;
  private int processWorkers;

  private Context(LocalCluster cluster, ClientConnection connection, String address,
      String authkey) {
    this.cluster = cluster;
    this.connection = connection;
    this.address = address;
    this.authkey = authkey;
  }

  /**
   * A context with a broker embedded in this JVM on loopback; its pools spawn worker JVMs.
   *
   * @return the running context
   * @throws Mp4jException when the broker cannot start
   */
  public static Context local() {
    return local(java.util.Map.of());
  }

  /** A local context whose broker holds instances of {@code types} for Manager clients. */
  static Context local(java.util.Map<String, Class<?>> types) {
    LocalCluster cluster = new LocalCluster(0, 0, List.of(), Duration.ofSeconds(4), types);
    try {
      ClientConnection connection = new ClientConnection(cluster.context(),
          cluster.clientEndpoint(), cluster.authkey(), null, NO_RESULTS, Duration.ofSeconds(10));
      return new Context(cluster, connection, cluster.clientEndpoint(),
          new String(cluster.authkey(), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * A context on a standalone broker.
   *
   * @param address the broker's address, such as {@code tcp://broker-host:5555}
   * @param authkey the broker's authkey, or null when it has none
   * @return the connected context
   * @throws BrokerException when no broker answers at the address
   * @throws AuthenticationException when the broker refuses the authkey
   */
  public static Context connect(String address, String authkey) {
    Objects.requireNonNull(address, "address");
    byte[] key = authkey == null ? null : authkey.getBytes(StandardCharsets.UTF_8);
    ClientConnection connection = new ClientConnection(null, address, key, null, NO_RESULTS,
        Duration.ofSeconds(10));
    return new Context(null, connection, address, authkey);
  }

  /**
   * A pool served by this context's broker. In a local context it starts {@code processes}
   * more worker JVMs, which the context owns: closing the pool ends its session, closing the
   * context ends the workers. In a connected context the broker's workers serve it.
   *
   * @param processes worker processes to start in a local context, at least 1
   * @return the pool
   * @throws IllegalArgumentException when {@code processes} is less than 1
   * @throws RejectedExecutionException when the context is closed
   */
  public Pool pool(int processes) {
    if (processes < 1) {
      throw new IllegalArgumentException("processes must be at least 1, got " + processes);
    }
    requireOpen();
    if (cluster != null) {
      cluster.addWorkers(processes);
      return Pool.over(new RemoteBackend(cluster.context(), cluster.clientEndpoint(),
          cluster.authkey(), null, null, Duration.ofSeconds(10), cluster.processes()));
    }
    byte[] key = authkey == null ? null : authkey.getBytes(StandardCharsets.UTF_8);
    return Pool.over(new RemoteBackend(null, address, key, null, null, Duration.ofSeconds(10),
        0));
  }

  /**
   * A new duplex pipe: Python's {@code Pipe()}.
   *
   * @param messageType the class its messages decode into
   * @param <T> the message type
   * @return the pipe's two ends
   * @throws RejectedExecutionException when the context is closed
   */
  public <T> Pipe<T> pipe(Class<T> messageType) {
    return pipe(messageType, true);
  }

  /**
   * A new pipe: Python's {@code Pipe(duplex)}. One-way, the first end receives and the second
   * sends.
   *
   * @param messageType the class its messages decode into
   * @param duplex whether both ends send and receive
   * @param <T> the message type
   * @return the pipe's two ends
   * @throws RejectedExecutionException when the context is closed
   */
  public <T> Pipe<T> pipe(Class<T> messageType, boolean duplex) {
    requireOpen();
    return Pipe.open(connection, messageType, duplex);
  }

  /**
   * A process that will run a task taking no argument: Python's {@code Process(target=f)}.
   *
   * @param task the task
   * @return the process, not started
   */
  public Process process(VoidTask0 task) {
    return newProcess(TaskFunction.ofVoid(task), null);
  }

  /**
   * A process that will run a task with one argument: Python's
   * {@code Process(target=f, args=(a,))}. The argument may be a queue, pipe end or other
   * shared object of this context.
   *
   * @param task the task
   * @param argument its argument
   * @param <T> the argument type
   * @return the process, not started
   */
  public <T> Process process(VoidTask<T> task, T argument) {
    return newProcess(TaskFunction.ofVoid(task), argument);
  }

  /**
   * A process that will run a task with two arguments.
   *
   * @param task the task
   * @param first the first argument
   * @param second the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @return the process, not started
   */
  public <A, B> Process process(VoidTask2<A, B> task, A first, B second) {
    return newProcess(TaskFunction.ofVoid(task), Arrays.asList(first, second));
  }

  /**
   * A process that will run a task with three arguments.
   *
   * @param task the task
   * @param first the first argument
   * @param second the second argument
   * @param third the third argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <C> the third argument's type
   * @return the process, not started
   */
  public <A, B, C> Process process(VoidTask3<A, B, C> task, A first, B second, C third) {
    return newProcess(TaskFunction.ofVoid(task), Arrays.asList(first, second, third));
  }

  private Process newProcess(TaskFunction function, Object arguments) {
    requireOpen();
    return new Process(this, function, arguments);
  }

  /**
   * The processes of this context that were started and have not ended: Python's
   * {@code active_children()}.
   *
   * @return the running processes
   */
  public List<Process> activeChildren() {
    synchronized (running) {
      return List.copyOf(running);
    }
  }

  /**
   * The number of processors of this machine: Python's {@code cpu_count()}.
   *
   * @return the processor count
   */
  public static int cpuCount() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The session through which this context's processes run, made on first use. */
  synchronized RemoteBackend processBackend() {
    requireOpen();
    if (processes == null) {
      byte[] key = authkey == null ? null : authkey.getBytes(StandardCharsets.UTF_8);
      processes = cluster != null
          ? new RemoteBackend(cluster.context(), cluster.clientEndpoint(), cluster.authkey(),
              null, null, Duration.ofSeconds(10), 0)
          : new RemoteBackend(null, address, key, null, null, Duration.ofSeconds(10), 0);
    }
    return processes;
  }

  /** Makes sure a local context has a worker for each running process. */
  void processStarted(Process process) {
    synchronized (running) {
      running.add(process);
      if (cluster != null && runningCount >= processWorkers) {
        cluster.addWorkers(1);
        processWorkers++;
      }
      runningCount++;
    }
  }

  void processEnded(Process process) {
    synchronized (running) {
      runningCount--;
      running.remove(process);
    }
  }

  /** The embedded broker and workers of a local context, or null; for tests. */
  LocalCluster cluster() {
    return cluster;
  }

  /** This context's channel to its broker. */
  @Override
  BrokerChannel channel() {
    requireOpen();
    return connection;
  }

  private void requireOpen() {
    if (closed) {
      throw new RejectedExecutionException("the context is closed");
    }
  }

  /** Leaves the broker and, for a local context, ends the broker and its workers. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (this) {
      if (processes != null) {
        processes.terminate();
      }
    }
    connection.close();
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A context's own connection carries requests only; it never receives task results. */
  static final ClientConnection.Listener NO_RESULTS = new ClientConnection.Listener() {
    @Override
    public void results(List<io.mp4j.protocol.Slice> frames) {}

    @Override
    public void refused(io.mp4j.protocol.ErrorReply reply) {}

    @Override
    public void lost(Mp4jException cause, java.util.Set<Long> notSent) {}

    @Override
    public boolean awaitsResults() {
      return false;
    }
  };
}
