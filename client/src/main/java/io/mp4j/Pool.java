package io.mp4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool of workers that run tasks: Python's {@code multiprocessing.Pool}.
 *
 * <p>Three kinds, one API:
 * <ul>
 *   <li>{@link #create(int)}: worker JVMs spawned on this machine from this JVM's java and
 *       classpath, with an embedded broker on loopback; nothing to install or start.
 *   <li>{@link #connect(String, String)}: the workers of a standalone broker, on any host.
 *   <li>{@link #threads(int)}: threads in this JVM, with no copying (Python's
 *       {@code multiprocessing.dummy}).
 * </ul>
 *
 * <p>Tasks are {@link Task} types: method references, lambdas or task objects, sent by name.
 * Arguments and results travel as msgpack and are decoded into the task's declared types.
 *
 * <h2>Lifecycle and Python's names</h2>
 * <table>
 *   <caption>Python's Pool methods and their mp4j names</caption>
 *   <tr><th>Python</th><th>mp4j</th></tr>
 *   <tr><td>{@code close()}: no more tasks</td><td>{@link #shutdown()}</td></tr>
 *   <tr><td>{@code terminate()}</td><td>{@link #terminate()}</td></tr>
 *   <tr><td>{@code join()}</td><td>{@link #join()}</td></tr>
 *   <tr><td>{@code with Pool() as p:} (terminates on exit)</td>
 *       <td>try-with-resources; {@link #close()} terminates</td></tr>
 * </table>
 *
 * <p>Every method is safe to call from any thread.
 */
public final class Pool implements AutoCloseable {
  private enum State { RUNNING, SHUT_DOWN, TERMINATED }

  /** The environment variable that points {@link #create()} at a standalone broker. */
  static final String BROKER_ENV = "MP4J_BROKER";
  /** The environment variable holding the broker's authkey. */
  static final String AUTHKEY_ENV = "MP4J_AUTHKEY";

  private final Backend backend;
  private final int defaultChunkSize;
  private final int imapWindow;
  private final LocalCluster cluster;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile State state = State.RUNNING;

  /** A pool served by the workers of a context's broker; the context owns the workers. */
  static Pool over(Backend backend) {
    return new Pool(backend, null, 0);
  }

  private Pool(Backend backend, LocalCluster cluster, int defaultChunkSize) {
    this.backend = backend;
    this.cluster = cluster;
    this.defaultChunkSize = defaultChunkSize;
    this.imapWindow = Math.max(16, 4 * backend.processes());
  }

  /**
   * A pool of worker processes on this machine, one per core; or, when the environment variable
   * {@code MP4J_BROKER} names a broker, a pool served by that broker's workers (its key taken
   * from {@code MP4J_AUTHKEY}), so the same program runs on a laptop and on a cluster.
   *
   * @return the running pool
   * @throws Mp4jException when the embedded broker or the workers cannot start, or the broker
   *     named by {@code MP4J_BROKER} cannot be reached
   */
  public static Pool create() {
    String address = System.getenv(BROKER_ENV);
    if (address != null && !address.isBlank()) {
      return connect(address);
    }
    return builder().build();
  }

  /**
   * A pool of {@code processes} worker JVMs on this machine.
   *
   * @param processes the number of worker processes, at least 1
   * @return the running pool
   * @throws IllegalArgumentException when {@code processes} is less than 1
   * @throws Mp4jException when the embedded broker or the workers cannot start
   */
  public static Pool create(int processes) {
    return builder().processes(processes).build();
  }

  /**
   * A pool served by the workers of a standalone broker.
   *
   * @param address the broker's address, such as {@code tcp://broker-host:5555}
   * @param authkey the broker's authkey, or null when it has none
   * @return the connected pool
   * @throws BrokerException when no broker answers at the address
   * @throws AuthenticationException when the broker refuses the authkey
   */
  public static Pool connect(String address, String authkey) {
    return builder().connect(address).authkey(authkey).build();
  }

  /**
   * A pool served by the workers of a standalone broker, with the authkey from the environment
   * variable {@code MP4J_AUTHKEY} (none when it is not set).
   *
   * @param address the broker's address, such as {@code tcp://broker-host:5555}
   * @return the connected pool
   * @throws BrokerException when no broker answers at the address
   * @throws AuthenticationException when the broker refuses the authkey
   */
  public static Pool connect(String address) {
    String key = System.getenv(AUTHKEY_ENV);
    return connect(address, key == null || key.isEmpty() ? null : key);
  }

  /**
   * A pool of {@code threads} threads in this JVM: Python's {@code ThreadPool}.
   *
   * @param threads the number of threads, at least 1
   * @return the running pool
   * @throws IllegalArgumentException when {@code threads} is less than 1
   */
  public static Pool threads(int threads) {
    return builder().threads(threads).build();
  }

  /**
   * A builder for pools with an initializer, a task limit per worker or a default chunk size.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How many workers serve this pool now.
   *
   * @return the number of worker processes or threads
   */
  public int processes() {
    return backend.processes();
  }

  /**
   * Applies the task to every item and returns the results in input order. The items are split
   * into chunks as Python does: about four chunks per worker, unless a default chunk size was
   * set.
   *
   * @param task the task
   * @param items the arguments, one per call
   * @param <T> the argument type
   * @param <R> the result type
   * @return the results, in input order
   * @throws RemoteTaskException when a call threw (the first one to fail); the other calls go on
   * @throws WorkerLostException when a call's workers kept dying
   * @throws EncodingException when an item or a result cannot be encoded
   * @throws TaskNotFoundException when the workers cannot find the task
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> List<R> map(Task<T, R> task, Iterable<? extends T> items) {
    return await(mapAsync(task, items));
  }

  /**
   * Like {@link #map(Task, Iterable)} with chunks of {@code chunkSize} calls.
   *
   * @param task the task
   * @param items the arguments, one per call
   * @param chunkSize calls per chunk, at least 1
   * @param <T> the argument type
   * @param <R> the result type
   * @return the results, in input order
   * @throws RemoteTaskException when a call threw
   * @throws WorkerLostException when a call's workers kept dying
   * @throws EncodingException when an item or a result cannot be encoded
   * @throws TaskNotFoundException when the workers cannot find the task
   * @throws RejectedExecutionException when the pool was shut down or terminated
   * @throws IllegalArgumentException when {@code chunkSize} is less than 1
   */
  public <T, R> List<R> map(Task<T, R> task, Iterable<? extends T> items, int chunkSize) {
    return await(mapAsync(task, items, chunkSize));
  }

  /**
   * Starts {@link #map(Task, Iterable)} and returns at once.
   *
   * @param task the task
   * @param items the arguments, one per call
   * @param <T> the argument type
   * @param <R> the result type
   * @return the future list of results, in input order
   * @throws EncodingException when an item cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> AsyncResult<List<R>> mapAsync(Task<T, R> task, Iterable<? extends T> items) {
    return mapAsync(task, items, 0);
  }

  /**
   * Starts {@link #map(Task, Iterable, int)} and returns at once.
   *
   * @param task the task
   * @param items the arguments, one per call
   * @param chunkSize calls per chunk, at least 1; 0 for the default
   * @param <T> the argument type
   * @param <R> the result type
   * @return the future list of results, in input order
   * @throws EncodingException when an item cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   * @throws IllegalArgumentException when {@code chunkSize} is negative
   */
  public <T, R> AsyncResult<List<R>> mapAsync(
      Task<T, R> task, Iterable<? extends T> items, int chunkSize) {
    return startMap(TaskFunction.of(task), items, chunkSize);
  }

  /**
   * Calls a two-argument task with each list of arguments: Python's {@code starmap}.
   *
   * @param task the task
   * @param argumentLists one list of two arguments per call
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return the results, in input order
   * @throws IllegalArgumentException when a list does not hold two arguments
   * @throws RemoteTaskException when a call threw
   * @throws WorkerLostException when a call's workers kept dying
   * @throws EncodingException when an argument or a result cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <A, B, R> List<R> starmap(
      Task2<A, B, R> task, Iterable<? extends List<?>> argumentLists) {
    return await(starmapAsync(task, argumentLists));
  }

  /**
   * Calls a three-argument task with each list of arguments: Python's {@code starmap}.
   *
   * @param task the task
   * @param argumentLists one list of three arguments per call
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <C> the third argument's type
   * @param <R> the result type
   * @return the results, in input order
   * @throws IllegalArgumentException when a list does not hold three arguments
   * @throws RemoteTaskException when a call threw
   * @throws WorkerLostException when a call's workers kept dying
   * @throws EncodingException when an argument or a result cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <A, B, C, R> List<R> starmap(
      Task3<A, B, C, R> task, Iterable<? extends List<?>> argumentLists) {
    return await(starmapAsync(task, argumentLists));
  }

  /**
   * Starts {@link #starmap(Task2, Iterable)} and returns at once.
   *
   * @param task the task
   * @param argumentLists one list of two arguments per call
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return the future list of results, in input order
   * @throws IllegalArgumentException when a list does not hold two arguments
   * @throws EncodingException when an argument cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <A, B, R> AsyncResult<List<R>> starmapAsync(
      Task2<A, B, R> task, Iterable<? extends List<?>> argumentLists) {
    return startMap(TaskFunction.of(task), checkArity(argumentLists, 2), 0);
  }

  /**
   * Starts {@link #starmap(Task3, Iterable)} and returns at once.
   *
   * @param task the task
   * @param argumentLists one list of three arguments per call
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <C> the third argument's type
   * @param <R> the result type
   * @return the future list of results, in input order
   * @throws IllegalArgumentException when a list does not hold three arguments
   * @throws EncodingException when an argument cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <A, B, C, R> AsyncResult<List<R>> starmapAsync(
      Task3<A, B, C, R> task, Iterable<? extends List<?>> argumentLists) {
    return startMap(TaskFunction.of(task), checkArity(argumentLists, 3), 0);
  }

  /**
   * Applies the task to the items lazily, yielding results in input order as they arrive.
   * Python's {@code imap}; its default chunk size is 1.
   *
   * @param task the task
   * @param items the arguments, read as results are taken; may be endless
   * @param <T> the argument type
   * @param <R> the result type
   * @return the results, in input order
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> ResultIterator<R> imap(Task<T, R> task, Iterator<? extends T> items) {
    return imap(task, items, 1);
  }

  /**
   * Like {@link #imap(Task, Iterator)} with chunks of {@code chunkSize} calls.
   *
   * @param task the task
   * @param items the arguments, read as results are taken; may be endless
   * @param chunkSize calls per chunk, at least 1
   * @param <T> the argument type
   * @param <R> the result type
   * @return the results, in input order
   * @throws IllegalArgumentException when {@code chunkSize} is less than 1
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> ResultIterator<R> imap(
      Task<T, R> task, Iterator<? extends T> items, int chunkSize) {
    return startImap(task, items, chunkSize, true);
  }

  /**
   * Like {@link #imap(Task, Iterator)}, but yields results as they arrive, in any order.
   *
   * @param task the task
   * @param items the arguments, read as results are taken; may be endless
   * @param <T> the argument type
   * @param <R> the result type
   * @return the results, in completion order
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> ResultIterator<R> imapUnordered(Task<T, R> task, Iterator<? extends T> items) {
    return imapUnordered(task, items, 1);
  }

  /**
   * Like {@link #imapUnordered(Task, Iterator)} with chunks of {@code chunkSize} calls.
   *
   * @param task the task
   * @param items the arguments, read as results are taken; may be endless
   * @param chunkSize calls per chunk, at least 1
   * @param <T> the argument type
   * @param <R> the result type
   * @return the results, in completion order
   * @throws IllegalArgumentException when {@code chunkSize} is less than 1
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> ResultIterator<R> imapUnordered(
      Task<T, R> task, Iterator<? extends T> items, int chunkSize) {
    return startImap(task, items, chunkSize, false);
  }

  /**
   * Runs the task once with one argument and waits for the result: Python's {@code apply}.
   *
   * @param task the task
   * @param argument the argument
   * @param <T> the argument type
   * @param <R> the result type
   * @return the result
   * @throws RemoteTaskException when the task threw
   * @throws WorkerLostException when the task's workers kept dying
   * @throws EncodingException when the argument or the result cannot be encoded
   * @throws TaskNotFoundException when the workers cannot find the task
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> R apply(Task<T, R> task, T argument) {
    return await(startApply(TaskFunction.of(task), Arrays.asList(argument), true));
  }

  /**
   * Runs a task that takes no argument and waits for the result.
   *
   * @param task the task
   * @param <R> the result type
   * @return the result
   * @throws RemoteTaskException when the task threw
   * @throws WorkerLostException when the task's workers kept dying
   * @throws EncodingException when the result cannot be encoded
   * @throws TaskNotFoundException when the workers cannot find the task
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <R> R apply(Task0<R> task) {
    return await(startApply(TaskFunction.of(task), Arrays.asList((Object) null), true));
  }

  /**
   * Runs a two-argument task once and waits for the result.
   *
   * @param task the task
   * @param first the first argument
   * @param second the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return the result
   * @throws RemoteTaskException when the task threw
   * @throws WorkerLostException when the task's workers kept dying
   * @throws EncodingException when an argument or the result cannot be encoded
   * @throws TaskNotFoundException when the workers cannot find the task
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <A, B, R> R apply(Task2<A, B, R> task, A first, B second) {
    return await(startApply(TaskFunction.of(task), List.of(Arrays.asList(first, second)),
        true));
  }

  /**
   * Starts one call of the task and returns at once: Python's {@code apply_async}.
   *
   * @param task the task
   * @param argument the argument
   * @param <T> the argument type
   * @param <R> the result type
   * @return the future result
   * @throws EncodingException when the argument cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <T, R> AsyncResult<R> applyAsync(Task<T, R> task, T argument) {
    return startApply(TaskFunction.of(task), Arrays.asList(argument), false);
  }

  /**
   * Starts one call of a task that takes no argument.
   *
   * @param task the task
   * @param <R> the result type
   * @return the future result
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <R> AsyncResult<R> applyAsync(Task0<R> task) {
    return startApply(TaskFunction.of(task), Arrays.asList((Object) null), false);
  }

  /**
   * Starts one call of a two-argument task.
   *
   * @param task the task
   * @param first the first argument
   * @param second the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return the future result
   * @throws EncodingException when an argument cannot be encoded
   * @throws RejectedExecutionException when the pool was shut down or terminated
   */
  public <A, B, R> AsyncResult<R> applyAsync(Task2<A, B, R> task, A first, B second) {
    return startApply(TaskFunction.of(task), List.of(Arrays.asList(first, second)), false);
  }

  /**
   * Accepts no more tasks; those already submitted run to the end: Python's {@code close()}.
   */
  public void shutdown() {
    lock.lock();
    try {
      if (state == State.RUNNING) {
        state = State.SHUT_DOWN;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops at once: kills local worker processes, leaves the broker, and fails every result not
   * yet delivered. Idempotent.
   */
  public void terminate() {
    lock.lock();
    try {
      if (state == State.TERMINATED) {
        return;
      }
      state = State.TERMINATED;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    backend.terminate();
  }

  /**
   * Waits until every submitted task finished, then releases the workers: Python's
   * {@code join()}.
   *
   * @throws IllegalStateException when the pool is still running: call {@link #shutdown()} or
   *     {@link #terminate()} first
   * @throws InterruptedException when interrupted while waiting
   */
  public void join() throws InterruptedException {
    lock.lock();
    try {
      if (state == State.RUNNING) {
        throw new IllegalStateException("the pool is running: call shutdown() or terminate()"
            + " before join()");
      }
      while (state == State.SHUT_DOWN && outstanding.get() > 0) {
        idle.await();
      }
    } finally {
      lock.unlock();
    }
    boolean stop = false;
    lock.lock();
    try {
      if (state == State.SHUT_DOWN) {
        state = State.TERMINATED;
        stop = true;
      }
    } finally {
      lock.unlock();
    }
    if (stop) {
      backend.stop();
    }
  }

  /**
   * Terminates the pool, as leaving Python's {@code with Pool()} block does. Idempotent.
   */
  @Override
  public void close() {
    terminate();
  }

  /** The pids of this pool's local worker processes; empty for other kinds. */
  List<Long> workerPids() {
    return cluster == null ? List.of() : cluster.workerPids();
  }

  LocalCluster cluster() {
    return cluster;
  }

  private void requireRunning() {
    if (state != State.RUNNING) {
      throw new RejectedExecutionException("the pool is " + (state == State.SHUT_DOWN
          ? "shut down" : "terminated") + " and takes no more tasks");
    }
  }

  private <R> AsyncResult<R> startApply(TaskFunction function, List<?> items,
      boolean callerWaits) {
    requireRunning();
    CompletableFuture<R> future = new CompletableFuture<>();
    submit(callerWaits, new Batch(function, items, (offset, values, errors) -> {
      if (errors != null && errors[0] != null) {
        future.completeExceptionally(errors[0]);
      } else {
        @SuppressWarnings("unchecked")
        R value = (R) values[0];
        future.complete(value);
      }
    }));
    return new AsyncResult<>(future, backend, true);
  }

  private <R> AsyncResult<List<R>> startMap(
      TaskFunction function, Iterable<?> items, int chunkSize) {
    Objects.requireNonNull(items, "items");
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
    }
    requireRunning();
    List<?> all = items instanceof List<?> list ? list : toList(items);
    int size = all.size();
    CompletableFuture<List<R>> future = new CompletableFuture<>();
    if (size == 0) {
      future.complete(new ArrayList<>());
      return new AsyncResult<>(future, backend, false);
    }
    int chunk = chunkSize > 0 ? chunkSize : defaultChunkSize > 0 ? defaultChunkSize
        : pythonChunkSize(size, backend.processes());
    MapResults<R> results = new MapResults<>(size);
    AtomicInteger remaining = new AtomicInteger(size);
    for (int start = 0; start < size; start += chunk) {
      int base = start;
      List<?> slice = all.subList(start, Math.min(size, start + chunk));
      BatchListener listener = (offset, values, errors) -> {
        if (future.isDone()) {
          return;
        }
        for (int i = 0; i < values.length; i++) {
          if (errors != null && errors[i] != null) {
            future.completeExceptionally(errors[i]);
            return;
          }
        }
        results.fill(base + offset, values);
        if (remaining.addAndGet(-values.length) == 0) {
          future.complete(results);
        }
      };
      try {
        submit(new Batch(function, slice, listener));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
        throw e;
      }
    }
    return new AsyncResult<>(future, backend, false);
  }

  private <T, R> ResultIterator<R> startImap(
      Task<T, R> task, Iterator<? extends T> items, int chunkSize, boolean ordered) {
    Objects.requireNonNull(items, "items");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
    }
    requireRunning();
    return new ImapIterator<>(items, TaskFunction.of(task), chunkSize, imapWindow, ordered,
        this::submitUnlessTerminated);
  }

  private void submitUnlessTerminated(Batch batch) {
    if (state == State.TERMINATED) {
      throw new RejectedExecutionException("the pool was terminated");
    }
    submit(batch);
  }

  /** Submits a batch and counts it as outstanding until all its calls report. */
  private void submit(Batch batch) {
    submit(false, batch);
  }

  private void submit(boolean callerWaits, Batch batch) {
    AtomicInteger left = new AtomicInteger(batch.size());
    BatchListener inner = batch.listener();
    Batch counted = new Batch(batch.function(), batch.items(), (offset, values, errors) -> {
      try {
        inner.completed(offset, values, errors);
      } finally {
        int before = left.getAndAdd(-values.length);
        if (before > 0 && before - values.length <= 0) {
          finished();
        }
      }
    });
    outstanding.incrementAndGet();
    try {
      backend.execute(counted, callerWaits);
    } catch (RuntimeException e) {
      finished();
      throw e;
    }
  }

  private void finished() {
    if (outstanding.decrementAndGet() == 0) {
      lock.lock();
      try {
        idle.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Python's default: about four chunks per worker. */
  static int pythonChunkSize(int items, int workers) {
    int chunks = Math.max(1, workers) * 4;
    int size = items / chunks;
    return items % chunks != 0 ? size + 1 : Math.max(1, size);
  }

  private static List<?> toList(Iterable<?> items) {
    if (items instanceof Collection<?> collection) {
      return new ArrayList<>(collection);
    }
    List<Object> list = new ArrayList<>();
    items.forEach(list::add);
    return list;
  }

  private static Iterable<? extends List<?>> checkArity(
      Iterable<? extends List<?>> argumentLists, int arity) {
    Objects.requireNonNull(argumentLists, "argumentLists");
    int index = 0;
    for (List<?> args : argumentLists) {
      if (args == null || args.size() != arity) {
        throw new IllegalArgumentException("argument list " + index + " must hold " + arity
            + " arguments, got " + args);
      }
      index++;
    }
    return argumentLists;
  }

  private static <R> R await(AsyncResult<R> result) {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new Mp4jException("task failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Mp4jException("interrupted while waiting for a result", e);
    }
  }

  /** Builds a pool; each setter returns this builder. */
  public static final class Builder {
    private int processes;
    private int threads;
    private String address;
    private String authkey;
    private int maxTasksPerChild;
    private int chunkSize;
    private TaskFunction initializer;
    private Object[] initializerArgs = new Object[0];
    private List<String> jvmOptions = List.of();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration workerTimeout = Duration.ofSeconds(4);

    private Builder() {}

    /**
     * Spawns this many local worker processes (the default is one per core).
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is less than 1
     */
    public Builder processes(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("processes must be at least 1, got " + value);
      }
      this.processes = value;
      return this;
    }

    /**
     * Runs tasks on this many threads in this JVM instead of processes.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is less than 1
     */
    public Builder threads(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + value);
      }
      this.threads = value;
      return this;
    }

    /**
     * Uses the workers of the standalone broker at this address instead of local processes.
     *
     * @param value such as {@code tcp://broker-host:5555}
     * @return this builder
     */
    public Builder connect(String value) {
      this.address = Objects.requireNonNull(value, "address");
      return this;
    }

    /**
     * The standalone broker's authkey; null when it has none.
     *
     * @param value the key
     * @return this builder
     */
    public Builder authkey(String value) {
      this.authkey = value;
      return this;
    }

    /**
     * Replaces each worker process after it ran this many tasks (chunks): Python's
     * {@code maxtasksperchild}. Local process pools only.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is less than 1
     */
    public Builder maxTasksPerChild(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxTasksPerChild must be at least 1, got " + value);
      }
      this.maxTasksPerChild = value;
      return this;
    }

    /**
     * The chunk size map uses when none is given; by default about four chunks per worker.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is less than 1
     */
    public Builder chunkSize(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("chunkSize must be at least 1, got " + value);
      }
      this.chunkSize = value;
      return this;
    }

    /**
     * Runs this task once in each worker before its first task of this pool.
     *
     * @param task the initializer
     * @return this builder
     */
    public Builder initializer(VoidTask0 task) {
      this.initializer = TaskFunction.ofVoid(Objects.requireNonNull(task, "task"));
      this.initializerArgs = new Object[0];
      return this;
    }

    /**
     * Runs this task with this argument once in each worker before its first task of this pool.
     *
     * @param task the initializer
     * @param argument its argument
     * @param <T> the argument's type
     * @return this builder
     */
    public <T> Builder initializer(VoidTask<T> task, T argument) {
      this.initializer = TaskFunction.ofVoid(Objects.requireNonNull(task, "task"));
      this.initializerArgs = new Object[] {argument};
      return this;
    }

    /**
     * Extra options for the local worker JVMs, such as {@code -Xmx2g}. Worker JVMs run the
     * serial collector on a heap that starts at 64 MB and grows as their tasks need; an option
     * that sizes the heap ({@code -Xms}, {@code -Xmx}, {@code -Xmn} and the like) replaces that
     * start.
     *
     * @param options JVM options
     * @return this builder
     */
    public Builder jvmOptions(List<String> options) {
      this.jvmOptions = List.copyOf(options);
      return this;
    }

    /**
     * How long a local worker may stay silent before it counts as hung: its tasks go to other
     * workers and it is replaced (default 4 s). Local process pools only; a standalone broker
     * takes {@code --worker-timeout-ms}.
     *
     * @param value a positive duration
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is not positive
     */
    public Builder workerTimeout(Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("workerTimeout must be positive, got " + value);
      }
      this.workerTimeout = value;
      return this;
    }

    /**
     * How long to wait for a standalone broker to answer (default 10 s).
     *
     * @param value a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = Objects.requireNonNull(value, "connectTimeout");
      return this;
    }

    /**
     * Starts the pool.
     *
     * @return the running pool
     * @throws IllegalStateException when settings conflict, such as threads with an address
     * @throws BrokerException when no broker answers at the address
     * @throws AuthenticationException when the broker refuses the authkey
     * @throws EncodingException when the initializer cannot be sent
     */
    public Pool build() {
      if (threads > 0) {
        if (address != null || processes > 0 || maxTasksPerChild > 0) {
          throw new IllegalStateException("a thread pool takes no address, processes or"
              + " maxTasksPerChild");
        }
        return new Pool(new ThreadBackend(threads, initializer, initializerArgs), null,
            chunkSize);
      }
      byte[] initializerFrame = initializer == null ? null : initializerFrame();
      if (address != null) {
        if (processes > 0 || maxTasksPerChild > 0) {
          throw new IllegalStateException("processes and maxTasksPerChild apply to local pools;"
              + " the broker's workers are started with the worker command");
        }
        byte[] key = authkey == null ? null
            : authkey.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new Pool(new RemoteBackend(null, address, key, initializerFrame, null,
            connectTimeout, 0), null, chunkSize);
      }
      int count = processes > 0 ? processes : Runtime.getRuntime().availableProcessors();
      LocalCluster cluster = new LocalCluster(count, maxTasksPerChild, jvmOptions,
          workerTimeout);
      try {
        return new Pool(new RemoteBackend(cluster.context(), cluster.clientEndpoint(),
            cluster.authkey(), initializerFrame, cluster, connectTimeout, 0), cluster, chunkSize);
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
    }

    private byte[] initializerFrame() {
      Batch batch = new Batch(initializer, initializerArgs.length == 0 ? Arrays.asList(
          (Object) null) : Arrays.asList(initializerArgs), (offset, values, errors) -> { });
      return RemoteBackend.encodeFrame(batch);
    }
  }
}
