package io.mp4j;

import io.mp4j.protocol.Wire;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.msgpack.core.MessageUnpacker;

/**
 * A task run in a worker process of its own: Python's {@code multiprocessing.Process}. Made by
 * {@link Context#process}, started with {@link #start()}.
 *
 * <p>The process runs on a worker JVM that runs nothing else while it does; a local context
 * starts a worker for it when all are busy. Exit codes are Python's: 0 when the task returns, 1
 * when it throws (its stack trace printed on the caller's console in a local context), {@code n}
 * when it calls {@link #exit(int)}, -15 after {@link #terminate()} and -9 after {@link #kill()}
 * (the worker process is ended and replaced), and the negative signal number when the worker
 * process dies some other way.
 */
public final class Process {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final Pattern SIGNAL = Pattern.compile("killed by SIG([A-Z]+)|exit code (\\d+)");

  /** The name of the process this worker JVM runs now, or null; set by {@link ProcessRunner}. */
  static volatile String current;

  private final Context context;
  private final TaskFunction function;
  private final Object arguments;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final CompletableFuture<Long> pid = new CompletableFuture<>();
  private String name = "Process-" + COUNT.incrementAndGet();
  private boolean daemon;
  private boolean started;
  private long taskId;
  private volatile int signalSent;
  private Queue<Long> control;

  Process(Context context, TaskFunction function, Object arguments) {
    this.context = context;
    this.function = function;
    this.arguments = arguments;
  }

  /**
   * Ends the calling process task with this exit code, as Python's {@code sys.exit(code)} does in
   * a child process. Call it only from a task that runs as a {@link Process}.
   *
   * @param code the exit code
   */
  public static void exit(int code) {
    throw new ProcessRunner.Exit(code);
  }

  /**
   * The name of the process this code runs in: the process's name inside a Process task,
   * {@code MainProcess} elsewhere (Python's {@code current_process().name}).
   *
   * @return the name
   */
  public static String currentName() {
    String name = current;
    return name == null ? "MainProcess" : name;
  }

  /**
   * This JVM's process id (Python's {@code current_process().pid}).
   *
   * @return the pid
   */
  public static long currentPid() {
    return ProcessHandle.current().pid();
  }

  /**
   * Sets the name, before {@link #start()}.
   *
   * @param value the name
   * @return this process
   * @throws IllegalStateException when it was started
   */
  public synchronized Process name(String value) {
    requireNotStarted();
    this.name = Objects.requireNonNull(value, "name");
    return this;
  }

  /**
   * Marks the process a daemon, before {@link #start()}. Every process of a local context ends
   * with the context and with this JVM, daemon or not.
   *
   * @param value whether it is a daemon
   * @return this process
   * @throws IllegalStateException when it was started
   */
  public synchronized Process daemon(boolean value) {
    requireNotStarted();
    this.daemon = value;
    return this;
  }

  /**
   * The name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Whether it is a daemon.
   *
   * @return true for a daemon
   */
  public boolean daemon() {
    return daemon;
  }

  /**
   * Starts the process.
   *
   * @throws IllegalStateException when it was started before
   * @throws EncodingException when the task or its arguments cannot be encoded
   */
  public synchronized void start() {
    requireNotStarted();
    started = true;
    RemoteBackend backend = context.processBackend();
    control = Queue.open(backend.channel(), "process-" + UUID.randomUUID(), Long.class, 0,
        false);
    byte[] frame = RemoteBackend.encodeFrame(new Batch(function,
        java.util.Collections.singletonList(arguments),
        (offset, values, errors) -> { }));
    // The pid comes through the control queue as the runner starts, without a thread waiting.
    backend.channel().request("queue.get", control.name(), Wire.pack(packer -> {
      packer.packArrayHeader(1);
      packer.packLong(-1);
    })).whenComplete((reply, error) -> {
      if (error != null || reply.error() != null) {
        pid.complete(-1L);
        return;
      }
      try (MessageUnpacker in = Wire.unpacker(reply.payload())) {
        pid.complete(in.unpackLong());
      } catch (java.io.IOException | RuntimeException e) {
        pid.complete(-1L);
      }
    });
    TaskFunction runner = TaskFunction.of((Task3<Queue<Long>, String, byte[], Integer>)
        ProcessRunner::run);
    context.processStarted(this);
    taskId = backend.executeExclusive(new Batch(runner, List.of(Arrays.asList(control, name,
        frame)), (offset, values, errors) -> {
          if (errors != null && errors[0] != null) {
            exit.complete(exitCodeOf(errors[0]));
          } else {
            exit.complete((Integer) values[0]);
          }
        }));
    exit.whenComplete((code, error) -> {
      context.processEnded(this);
      pid.complete(-1L);
      backend.channel().request("queue.delete", control.name(), new byte[] {(byte) 0x90});
    });
  }

  private int exitCodeOf(Mp4jException error) {
    if (signalSent != 0) {
      return -signalSent;
    }
    if (error instanceof WorkerLostException) {
      Matcher matcher = SIGNAL.matcher(String.valueOf(error.getMessage()));
      if (matcher.find()) {
        if (matcher.group(1) != null) {
          return switch (matcher.group(1)) {
            case "KILL" -> -9;
            case "TERM" -> -15;
            case "INT" -> -2;
            case "ABRT" -> -6;
            case "SEGV" -> -11;
            default -> -1;
          };
        }
        int code = Integer.parseInt(matcher.group(2));
        return code > 128 ? -(code - 128) : code;
      }
      return -9;
    }
    return 1;
  }

  /**
   * Waits for the process to end.
   *
   * @throws IllegalStateException when it was never started (Python asserts the same)
   * @throws InterruptedException when interrupted while waiting
   */
  public void join() throws InterruptedException {
    requireStarted();
    context.processBackend().helpUntil(exit, Long.MAX_VALUE);
    try {
      exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("unreachable: the exit code future never fails", e);
    }
  }

  /**
   * Waits at most the given time for the process to end.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return whether it ended in time
   * @throws IllegalStateException when it was never started
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean join(long timeout, TimeUnit unit) throws InterruptedException {
    requireStarted();
    context.processBackend().helpUntil(exit, AsyncResult.deadlineAfter(timeout, unit));
    try {
      exit.get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("unreachable: the exit code future never fails", e);
    }
  }

  /**
   * Whether it was started and has not ended.
   *
   * @return true while it runs
   */
  public synchronized boolean isAlive() {
    return started && !exit.isDone();
  }

  /**
   * The exit code, or null while it runs or before it starts (Python's {@code exitcode}).
   *
   * @return the exit code, or null
   */
  public Integer exitCode() {
    return exit.getNow(null);
  }

  /**
   * The process id of the worker process that runs it, waiting until it has started there.
   *
   * @return the pid, or -1 when it ended before it started
   * @throws IllegalStateException when it was never started
   * @throws InterruptedException when interrupted while waiting
   */
  public long pid() throws InterruptedException {
    requireStarted();
    try {
      return pid.get();
    } catch (ExecutionException e) {
      return -1;
    }
  }

  /** Ends the process as SIGTERM would; its exit code becomes -15. */
  public void terminate() {
    signal(15);
  }

  /** Ends the process as SIGKILL would; its exit code becomes -9. */
  public void kill() {
    signal(9);
  }

  private void signal(int number) {
    synchronized (this) {
      if (!started || exit.isDone()) {
        return;
      }
      signalSent = number;
    }
    boolean running = context.processBackend().signal(taskId, number).join();
    if (!running) {
      exit.complete(-number);
    }
  }

  private void requireNotStarted() {
    if (started) {
      throw new IllegalStateException("process " + name + " was started already");
    }
  }

  private synchronized void requireStarted() {
    if (!started) {
      throw new IllegalStateException("process " + name + " was never started");
    }
  }

  @Override
  public String toString() {
    Integer code = exitCode();
    return "Process[" + name + (code != null ? ", exit code " + code
        : started ? ", running" : ", not started") + "]";
  }
}
