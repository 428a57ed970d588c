package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.ErrorReply;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.codec.ValueReader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageUnpacker;
import org.zeromq.ZContext;

/**
 * Runs batches on worker processes through a broker. Batches are encoded on the caller's thread,
 * so a value that cannot be encoded fails at submit time; results are decoded on one results
 * thread, which also runs the callbacks of the pool's futures (as Python's result handler does).
 */
final class RemoteBackend implements Backend, ClientConnection.Listener {
  private static final System.Logger LOG = System.getLogger("io.mp4j.client");
  private static final int INLINE_RESULT_BYTES = 64 * 1024;
  private static final int TASK_BYTES = 4 << 20;

  /** A task frame on its way: which part of which batch it holds. */
  private static final class Pending {
    final Batch batch;
    final int start;
    int remaining;

    Pending(Batch batch, int start, int count) {
      this.batch = batch;
      this.start = start;
      this.remaining = count;
    }
  }

  private final ClientConnection connection;
  private final LocalCluster cluster;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextTaskId = new AtomicLong(1);
  private final ExecutorService resultThread = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "mp4j-results");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean terminated;
  /** Workers known to be on their way, for chunk sizes before they have joined; 0 if none. */
  private final int expectedWorkers;

  RemoteBackend(ZContext context, String address, byte[] authkey, byte[] initializer,
      LocalCluster cluster, Duration connectTimeout, int expectedWorkers) {
    this.cluster = cluster;
    this.expectedWorkers = expectedWorkers;
    this.connection = new ClientConnection(context, address, authkey, initializer, this,
        connectTimeout);
  }

  @Override
  public int processes() {
    if (cluster != null) {
      return cluster.processes();
    }
    return Math.max(Math.max(1, expectedWorkers), connection.workers());
  }

  @Override
  public void execute(Batch batch, boolean callerWaits) {
    byte[] function = batch.function().descriptor();
    batch.function().resultReader();
    int size = batch.size();
    int from = 0;
    while (from < size) {
      // A batch leaves as tasks of about TASK_BYTES each: small frames are cheap to allocate and
      // copy, and the workers start on the first part while the rest is being encoded.
      try (MessageBufferPacker calls = Wire.packer(Math.min(TASK_BYTES, 16 + 8 * (size - from)))) {
        int to = from;
        while (to < size && (to == from || calls.getTotalWrittenBytes() < TASK_BYTES)) {
          encodeCall(calls, batch, to);
          to++;
        }
        long taskId = nextTaskId.getAndIncrement();
        send(batch, taskId, from, to,
            TaskFrame.encodeCalls(taskId, to - from, function, calls.toBufferList()),
            callerWaits);
        from = to;
      } catch (CodecException e) {
        throw new EncodingException(e.getMessage(), e);
      } catch (IOException e) {
        throw new EncodingException("cannot encode arguments: " + e.getMessage(), e);
      }
    }
  }

  private void send(Batch batch, long taskId, int from, int to, byte[] frame,
      boolean callerWaits) {
    if (frame.length > connection.maxMessageBytes() - 1024) {
      throw new EncodingException("the arguments of " + (to - from == 1 ? "one call" : (to - from)
          + " calls") + " encode to " + frame.length + " bytes, over the broker's limit of "
          + connection.maxMessageBytes() + " bytes");
    }
    pending.put(taskId, new Pending(batch, from, to - from));
    if (terminated) {
      pending.remove(taskId);
      throw new java.util.concurrent.RejectedExecutionException("the pool was terminated");
    }
    connection.submit(frame, callerWaits);
  }

  /**
   * Starts a one-call batch that needs a worker of its own and must not run twice (a Process).
   *
   * @return the task's number, for {@link #signal}
   */
  long executeExclusive(Batch batch) {
    byte[] function = batch.function().descriptor();
    batch.function().resultReader();
    byte[] args = encodeArguments(batch, 0, batch.size());
    long taskId = nextTaskId.getAndIncrement();
    byte[] frame = new TaskFrame(taskId, 0, batch.size(), function, args, true).encode();
    pending.put(taskId, new Pending(batch, 0, batch.size()));
    connection.submit(frame, false);
    return taskId;
  }

  /**
   * Ends the worker process that runs an exclusive task, as the signal would.
   *
   * @return a future true when the task was running, false when it had not started (it is then
   *     dropped, and will never run)
   */
  CompletableFuture<Boolean> signal(long taskId, int signal) {
    return connection.request("task.signal", "", Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packLong(taskId);
      packer.packInt(signal);
    })).thenApply(reply -> {
      try (MessageUnpacker in = Wire.unpacker(Queue.check(reply, "task").payload())) {
        boolean running = in.unpackBoolean();
        if (!running) {
          pending.remove(taskId);
        }
        return running;
      } catch (IOException e) {
        throw new BrokerException("malformed answer to a signal", e);
      }
    });
  }

  /** This backend's channel to the broker, for the shared objects of its processes. */
  BrokerChannel channel() {
    return connection;
  }

  private static void encodeCall(MessageBufferPacker out, Batch batch, int index)
      throws IOException {
    int arity = batch.function().arity();
    Object item = batch.items().get(index);
    if (arity == 1) {
      Codec.write(out, item); // a single argument travels bare, without an array around it
      return;
    }
    out.packArrayHeader(arity);
    if (arity > 1) {
      List<?> args = (List<?>) item;
      if (args == null || args.size() != arity) {
        throw new IllegalArgumentException("call " + index + " needs a list of " + arity
            + " arguments, got " + args);
      }
      for (Object arg : args) {
        Codec.write(out, arg);
      }
    }
  }

  /** Encodes a whole batch as a task frame numbered 0, as the pool's initializer travels. */
  static byte[] encodeFrame(Batch batch) {
    return new TaskFrame(0, 0, batch.size(), batch.function().descriptor(),
        encodeArguments(batch, 0, batch.size())).encode();
  }

  private static byte[] encodeArguments(Batch batch, int from, int to) {
    try (MessageBufferPacker out = Wire.packer(16 + 8 * (to - from))) {
      out.packArrayHeader(to - from);
      for (int i = from; i < to; i++) {
        encodeCall(out, batch, i);
      }
      return out.toByteArray();
    } catch (CodecException e) {
      throw new EncodingException(e.getMessage(), e);
    } catch (IOException e) {
      throw new EncodingException("cannot encode arguments: " + e.getMessage(), e);
    }
  }

  @Override
  public void results(List<Slice> frames) {
    int bytes = 0;
    for (Slice frame : frames) {
      bytes += frame.length();
    }
    if (bytes <= INLINE_RESULT_BYTES) {
      // Small results are decoded here on the I/O thread: a hand-off would cost more than the
      // decoding. Futures completed here run no user code; their callbacks go to the results
      // thread (see AsyncResult).
      completeAll(frames);
      return;
    }
    try {
      resultThread.execute(() -> completeAll(frames));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The pool has stopped; nobody waits for these results.
    }
  }

  private void completeAll(List<Slice> frames) {
    for (Slice frame : frames) {
      try {
        complete(ResultFrame.decode(frame));
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "a result could not be read", e);
      }
    }
  }

  @Override
  public void helpUntil(java.util.concurrent.Future<?> result, long deadlineNanos) {
    connection.drive(result::isDone, deadlineNanos);
  }

  @Override
  public boolean awaitsResults() {
    return !pending.isEmpty();
  }

  @Override
  public java.util.concurrent.Executor callbacks() {
    return resultThread;
  }

  private void complete(ResultFrame result) throws IOException {
    Pending part = pending.get(result.taskId());
    if (part == null) {
      return;
    }
    ValueReader reader = part.batch.function().resultReader();
    Object[] values = new Object[result.count()];
    Mp4jException[] errors = null;
    if (!result.errors().isEmpty()) {
      errors = new Mp4jException[result.count()];
      for (ResultFrame.ItemError error : result.errors()) {
        errors[error.index()] = RemoteErrors.toException(error.code(), error.error());
      }
    }
    byte[] bytes = result.values().array();
    try (MessageUnpacker in = Wire.unpackerAt(result.values())) {
      in.unpackArrayHeader();
      for (int i = 0; i < values.length; i++) {
        if (errors != null && errors[i] != null) {
          in.skipValue();
          continue;
        }
        try {
          values[i] = reader.read(in, bytes);
        } catch (IOException | RuntimeException e) {
          if (errors == null) {
            errors = new Mp4jException[values.length];
          }
          errors[i] = new EncodingException("cannot decode a result of "
              + "the task into its declared type: " + e.getMessage(), e);
        }
      }
    }
    part.remaining -= result.count();
    if (part.remaining <= 0) {
      pending.remove(result.taskId());
    }
    deliver(part.batch, part.start + result.offset(), values, errors);
  }

  private static void deliver(Batch batch, int offset, Object[] values, Mp4jException[] errors) {
    try {
      batch.listener().completed(offset, values, errors);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "a result listener failed", e);
    }
  }

  @Override
  public void refused(ErrorReply reply) {
    LOG.log(Level.WARNING, "the broker refused a message: " + reply.code() + ": "
        + reply.message());
  }

  @Override
  public void lost(Mp4jException cause, java.util.Set<Long> notSent) {
    try {
      resultThread.execute(() -> failAll(cause, notSent));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The pool has stopped; nothing is left to fail.
    }
  }

  private void failAll(Mp4jException cause, java.util.Set<Long> spared) {
    List<Long> ids = new ArrayList<>(pending.keySet());
    for (Long id : ids) {
      if (spared.contains(id)) {
        continue;
      }
      Pending part = pending.remove(id);
      if (part == null) {
        continue;
      }
      Mp4jException[] errors = new Mp4jException[part.remaining];
      java.util.Arrays.fill(errors, cause);
      // Which calls are left is not tracked per call; every listener ignores repeats.
      deliver(part.batch, part.start, new Object[part.remaining], errors);
    }
  }

  @Override
  public void terminate() {
    terminated = true;
    connection.close();
    if (cluster != null) {
      cluster.close();
    }
    try {
      resultThread.execute(() -> failAll(new Mp4jException("the pool was terminated"), java.util.Set.of()));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Already stopped: nothing is pending.
    }
    resultThread.shutdown();
  }

  @Override
  public void stop() {
    connection.close();
    if (cluster != null) {
      cluster.close();
    }
    resultThread.shutdown();
    try {
      resultThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
