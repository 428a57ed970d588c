package io.mp4j.worker;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Channels;
import io.mp4j.protocol.CurveKeys;
import io.mp4j.protocol.HandshakeWatch;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.ErrorReply;
import io.mp4j.protocol.EventPoller;
import io.mp4j.protocol.Hello;
import io.mp4j.protocol.Mailbox;
import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.PendingRequests;
import io.mp4j.protocol.RemoteError;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.ReplyFuture;
import io.mp4j.protocol.Request;
import io.mp4j.protocol.RequestBatch;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Welcome;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.time.Duration;
import org.msgpack.core.MessageUnpacker;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * One worker process: a task thread that runs tasks one at a time, as a Python pool worker does,
 * and an I/O thread, over one DEALER socket to the broker.
 *
 * <p>Whichever thread holds the socket turn runs the event loop on the socket. The task thread
 * does while it waits for its next task or for a reply to a request of the task it runs, so a
 * message it waits for reaches it, and what it sends leaves, without a hand-over to another
 * thread. The I/O thread does when the task thread cannot: after a task has run a while, so that
 * heartbeats go on and the broker loses a worker only when the whole process dies or hangs, and
 * while another thread of the task waits for a reply. Results of tasks that finish back to back
 * go out as one message. Not for users: run it with the {@code worker} command.
 */
public final class WorkerProcess implements BrokerChannel {
  private static final int RESULTS_PER_MESSAGE = 256;
  private static final int RESULT_BYTES_PER_MESSAGE = 1 << 20;
  /**
   * How long a result waits for those of the tasks after it, to leave in one message: results
   * of tiny tasks travel together, and a long task's leaves as it ends, not after the next one.
   */
  private static final long RESULT_WAIT_NANOS = 1_000_000L;
  private static final long HELLO_RETRY_NANOS = 3_000_000_000L;
  /** How long a task runs before the I/O thread takes the event loop over from its thread. */
  private static final long TAKE_OVER_NANOS = 20_000_000L;
  /** How often the I/O thread looks whether a task has started while its thread waited. */
  private static final long WAITING_LOOK_NANOS = 100_000_000L;
  /** The task thread waits, running the event loop itself. */
  private static final int TASK_WAITING = 0;
  /** The task thread runs a task. */
  private static final int TASK_RUNNING = 1;
  /** The task thread has not started, has ended, or waits with no connection to run a loop on. */
  private static final int TASK_AWAY = 2;

  /** What the I/O thread does: see {@link #ioTurn}. */
  private enum IoTurn { LOOP, FLUSH, REST }

  private sealed interface Work {}

  /** A task, with the connection it came on: its key means nothing on another. */
  private record Task(long key, long sessionId, byte[] frame, int epoch) implements Work {}

  private record Initialize(long sessionId, byte[] frame, int epoch) implements Work {}

  private record Stop() implements Work {}

  private sealed interface Outgoing {}

  /** One finished task: the broker's key, how long it took, and its result frame. */
  private record Done(long key, long nanos, byte[] resultFrame, int epoch) {}

  private record Results(List<Done> done) implements Outgoing {}

  private record Retire() implements Outgoing {}

  /** A request whose arguments are made as it goes out (see BrokerChannel.stream). */
  private record Stream(String op, String name, Supplier<byte[]> args, boolean quiet,
      ReplyFuture reply) implements Outgoing {
    /** The request to send now, or null when there is nothing to say. */
    Ask resolve() {
      byte[] made = args.get();
      if (made == null) {
        reply.complete(Reply.ok(reply.requestId()));
        return null;
      }
      return new Ask(new Request(reply.requestId(), op, name, made, quiet), reply);
    }
  }

  private record Ask(Request request, CompletableFuture<Reply> reply) implements Outgoing {}

  private final WorkerConfig config;
  private final BlockingQueue<Work> work = new LinkedBlockingQueue<>();
  private final Mailbox<Outgoing> outgoing = new Mailbox<>();
  private final String host;
  private final long pid = ProcessHandle.current().pid();
  private volatile long heartbeatNanos = 1_000_000_000L;
  private long lastSent;
  private long lastReceived;
  private int exitCode;
  private final AtomicLong nextRequestId = new AtomicLong(1);
  /**
   * Held by the thread that runs the event loop on the socket: the task thread while it waits
   * for a task or a reply, the I/O thread otherwise (see {@link #ioTurn}). What the loop
   * touches is touched with it held.
   */
  private final ReentrantLock socketTurn = new ReentrantLock();
  /** The current connection's socket, or null between connections. */
  private volatile ZMQ.Socket socket;
  private EventPoller poller;
  private HandshakeWatch watch;
  /** The number of the current connection (see {@link #epoch}). */
  private int current;
  private long helloSent;
  /** Set when the current connection is over: whether to connect again. */
  private volatile Boolean ending;
  private Thread ioThread;
  private Thread taskThread;
  private volatile int taskState = TASK_AWAY;
  /** When the task thread last stopped waiting; read while it runs a task. */
  private volatile long taskRunningSince;
  /** Threads other than the task thread waiting for a reply. */
  private final AtomicInteger othersWaiting = new AtomicInteger();
  /** Requests of tasks sent and not yet answered; touched with the socket turn held. */
  private final PendingRequests asked = new PendingRequests();
  private boolean welcomed;
  /**
   * The number of the current connection. A broker that restarted numbers its tasks afresh, so
   * the result of a task from an earlier connection must not reach it: its key may now name
   * another task.
   */
  private volatile int epoch;
  /** Tasks received and not yet answered; the drain waits for it to reach 0. */
  private final AtomicInteger held = new AtomicInteger();
  private final Object heldChanged = new Object();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final CountDownLatch drainRequested = new CountDownLatch(1);
  /** Copies what tasks print for their clients; null unless the config asks for it. */
  private OutputForwarder output;
  /** Handshakes refused in a row. */
  private int refusals;
  /** A message found no connection on the current socket (touched with the socket turn held). */
  private boolean unsent;

  /** Creates a worker; {@link #run} connects it. */
  public WorkerProcess(WorkerConfig config) {
    this.config = config;
    this.host = hostName();
  }

  /**
   * Connects to the broker and serves tasks until retired, stopped or cut off for good.
   *
   * @return the process exit code to use: 0 after retiring, 2 when the broker refused the key,
   *     3 when the broker was lost in local mode
   */
  public int run() {
    Channels.setWorkerChannel(this);
    if (config.forwardOutput()) {
      output = OutputForwarder.install();
    }
    ioThread = Thread.currentThread();
    taskThread = new Thread(this::runTasks, "mp4j-task");
    taskThread.setDaemon(true);
    taskThread.start();
    try (ZContext context = new ZContext(1)) {
      boolean again = true;
      long backoffMillis = 10;
      while (again) {
        again = serve(context);
        if (welcomed) {
          backoffMillis = 10;
        }
        if (again && drainRequested.getCount() == 0) {
          // Draining without a broker: nobody is left to hear the results.
          break;
        }
        if (again) {
          WorkerLog.LOG.log(Level.INFO, "broker " + config.brokerAddress()
              + " lost; reconnecting in " + backoffMillis + " ms");
          try {
            // The back-off between reconnection attempts, cut short by a drain.
            if (drainRequested.await(backoffMillis, TimeUnit.MILLISECONDS)) {
              break;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
          backoffMillis = Math.min(32_000, backoffMillis * 2);
        }
      }
    } finally {
      work.add(new Stop());
      outgoing.close();
      finished.countDown();
    }
    return exitCode;
  }

  /**
   * Stops taking tasks, finishes those this worker holds, says BYE and lets {@link #run} return:
   * what a worker does when its daemon stops (SIGTERM). Returns when done or at the timeout; at
   * once when the worker has stopped already.
   */
  public void drain(Duration timeout) {
    if (finished.getCount() == 0) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    drainRequested.countDown();
    try {
      // The broker's reply follows every task it sent before it: after it, nothing more comes.
      request("worker.drain", "", Wire.pack(packer -> packer.packArrayHeader(0)))
          .get(Math.min(5_000, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      WorkerLog.LOG.log(Level.WARNING,
          "the broker did not confirm the drain; finishing what is held");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      synchronized (heldChanged) {
        for (long left = deadline - System.nanoTime(); held.get() > 0 && left > 0;
            left = deadline - System.nanoTime()) {
          TimeUnit.NANOSECONDS.timedWait(heldChanged, left);
        }
      }
      post(new Retire());
      finished.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Tells the broker that a sibling process of the same daemon died, so that its tasks move at
   * once rather than after the heartbeat timeout.
   */
  public void reportSiblingExited(long siblingPid, String cause) {
    request("worker.exited", "", Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packLong(siblingPid);
      packer.packString(cause);
    }));
  }

  private void answered(int count) {
    if (held.addAndGet(-count) <= 0) {
      synchronized (heldChanged) {
        heldChanged.notifyAll();
      }
    }
  }

  /** Serves one connection; returns whether to reconnect. */
  private boolean serve(ZContext context) {
    int connection = ++epoch;
    // Tasks of the last connection that have not started are dropped: the broker that sent them
    // gave them to another worker when it lost this one, or it is gone.
    int dropped = 0;
    for (var it = work.iterator(); it.hasNext(); ) {
      Work item = it.next();
      if (item instanceof Task || item instanceof Initialize) {
        it.remove();
        dropped += item instanceof Task ? 1 : 0;
      }
    }
    answered(dropped);
    socketTurn.lock();
    try {
      open(context, connection);
    } finally {
      socketTurn.unlock();
    }
    try {
      while (true) {
        Boolean outcome = ending;
        if (outcome != null) {
          return outcome;
        }
        switch (ioTurn()) {
          case LOOP -> {
            socketTurn.lock();
            try {
              while (ending == null && ioTurn() == IoTurn.LOOP) {
                loopOnce(250);
              }
            } finally {
              socketTurn.unlock();
            }
          }
          case FLUSH -> {
            if (!loopOnceIfFree()) {
              // The task thread has the turn, and sends what is pending as it runs the loop.
              LockSupport.parkNanos(this, restNanos());
            }
          }
          case REST -> LockSupport.parkNanos(this, restNanos());
        }
      }
    } finally {
      socketTurn.lock();
      try {
        close();
      } finally {
        socketTurn.unlock();
      }
    }
  }

  /** Opens the connection's socket and says HELLO; with the socket turn held. */
  private void open(ZContext context, int connection) {
    current = connection;
    ending = null;
    unsent = false;
    ZMQ.Socket opened = context.createSocket(SocketType.DEALER);
    opened.setLinger(1000);
    opened.setSndHWM(0);
    opened.setRcvHWM(0);
    // A connecting JeroMQ socket's handshake stalls about once in a hundred connections and
    // would sit until the 30 s default; a short limit makes it reconnect at once.
    opened.setHandshakeIvl(1000);
    if (config.encrypt() && CurveKeys.encrypts(config.brokerAddress(), config.authkey())) {
      CurveKeys.of(config.authkey()).applyClient(opened);
    }
    // A local pool's worker talks plain to its own plain broker, which refuses no handshake;
    // not watching saves its start a monitor socket.
    watch = config.brokerAddress().startsWith("tcp://") && config.encrypt()
        ? new HandshakeWatch(context, opened, 1000) : null;
    opened.connect(config.brokerAddress());
    poller = new EventPoller();
    poller.add(opened);
    poller.add(outgoing.channel());
    socket = opened;
    long now = System.nanoTime();
    lastReceived = now;
    welcomed = false;
    helloSent = now;
    send(MessageType.HELLO, new Hello(Wire.PROTOCOL_VERSION, Hello.Role.WORKER,
        config.authkey(), host, pid, config.name(), config.maxTasks(), null).encode());
  }

  /** Ends the connection's socket; with the socket turn held. */
  private void close() {
    // Requests cannot outlive their connection: the broker forgets what a lost peer waited for.
    asked.failAll(new IllegalStateException("the connection to the broker at "
        + config.brokerAddress() + " was lost before it answered"));
    poller.close();
    if (watch != null) {
      watch.close();
    }
    socket.close();
    socket = null;
  }

  /**
   * What the I/O thread does now. The task thread runs the event loop itself while it waits for
   * a task or a reply, so what it waits for reaches it without a hand-over between threads; the
   * I/O thread runs the loop when the task thread cannot: when it is away, when a task has run
   * past {@link #TAKE_OVER_NANOS} (heartbeats and what other threads send must go on), and when
   * another thread waits for a reply during a task. Otherwise it sends what a running task
   * posted, and rests.
   */
  private IoTurn ioTurn() {
    int state = taskState;
    if (state == TASK_AWAY) {
      return IoTurn.LOOP;
    }
    if (state == TASK_WAITING) {
      return IoTurn.REST;
    }
    if (othersWaiting.get() > 0 || System.nanoTime() - taskRunningSince > TAKE_OVER_NANOS) {
      return IoTurn.LOOP;
    }
    return outgoing.isEmpty() ? IoTurn.REST : IoTurn.FLUSH;
  }

  /**
   * How long the I/O thread rests before it looks again at what the task thread does: the task
   * thread does not wake it as a task starts, which would cost every task a wake-up.
   */
  private long restNanos() {
    long rest = taskState == TASK_RUNNING ? TAKE_OVER_NANOS : WAITING_LOOK_NANOS;
    return Math.min(rest, heartbeatNanos / 4);
  }

  /**
   * The task thread's wait: it takes the socket turn and runs the event loop until {@code done}
   * holds or the deadline passes.
   *
   * @return whether {@code done} holds; false also when there is no connection to run the loop
   *     on, or this thread was interrupted: the caller then waits as any thread would, and the
   *     I/O thread runs the loop
   */
  private boolean loopUntil(BooleanSupplier done, long deadlineNanos) {
    taskState = TASK_WAITING;
    try {
      if (!socketTurn.tryLock()) {
        // The I/O thread runs the loop: woken, it sees this thread waiting and lets go.
        outgoing.wake();
        socketTurn.lock();
      }
      try {
        while (!done.getAsBoolean()) {
          long left = deadlineNanos - System.nanoTime();
          if (socket == null || ending != null || left <= 0
              || Thread.currentThread().isInterrupted()) {
            return false;
          }
          loopOnce(Math.min(250, (left + 999_999) / 1_000_000));
        }
        return true;
      } finally {
        socketTurn.unlock();
      }
    } finally {
      backToTasks();
    }
  }

  /**
   * One turn of the event loop, by the thread holding the socket turn: sends what is pending,
   * waits up to {@code waitMillis} for the broker or a post, and handles what came. Sets
   * {@link #ending} when the connection is over.
   */
  private void loopOnce(long waitMillis) {
    try {
      Boolean outcome = sendPending();
      if (outcome == null) {
        outcome = checkConnection();
      }
      if (outcome == null) {
        long untilHeartbeat = Math.max(0, (lastSent + heartbeatNanos - System.nanoTime())
            / 1_000_000);
        poller.poll(Math.min(untilHeartbeat + 1, waitMillis));
        if (poller.readable(0)) {
          for (ZMsg msg = ZMsg.recvMsg(socket, ZMQ.DONTWAIT); msg != null;
              msg = outcome == null ? ZMsg.recvMsg(socket, ZMQ.DONTWAIT) : null) {
            lastReceived = System.nanoTime();
            outcome = handle(msg, current);
          }
        }
        if (poller.readable(1)) {
          outgoing.clearSignal();
        }
      }
      if (outcome != null) {
        end(outcome);
      }
    } catch (ZMQException e) {
      WorkerLog.LOG.log(Level.WARNING, "socket failed", e);
      end(true);
    }
  }

  /** Marks the connection over, for the I/O thread to close: whether to connect again. */
  private void end(boolean reconnect) {
    ending = reconnect;
    LockSupport.unpark(ioThread);
  }

  /**
   * Sends what tasks printed, then what was posted, in order; with the socket turn held.
   *
   * @return null to go on, or whether to reconnect (false after the goodbye)
   */
  private Boolean sendPending() {
    if (output != null && welcomed) {
      // Before any result: what a task printed reaches its client before its result does.
      for (Map.Entry<Long, byte[]> lines : output.take(current).entrySet()) {
        long session = lines.getKey();
        send(MessageType.OUTPUT, Wire.pack(packer -> packer.packLong(session)),
            lines.getValue());
      }
    }
    if (outgoing.isEmpty()) {
      return null; // most turns of the loop: nothing posted
    }
    RequestBatch requests = new RequestBatch();
    for (Outgoing out = outgoing.poll(); out != null; out = outgoing.poll()) {
      if (out instanceof Stream stream) {
        out = stream.resolve();
        if (out == null) {
          continue;
        }
      }
      if (out instanceof Ask ask) {
        asked.sent(ask.request(), ask.reply());
        if (requests.add(ask.request())) {
          send(MessageType.REQUEST, requests.drain());
        }
        continue;
      }
      // A task's requests go before its result, so that what it put is there when the
      // client hears that it finished.
      if (!requests.isEmpty()) {
        send(MessageType.REQUEST, requests.drain());
      }
      if (out instanceof Results results) {
        List<Done> done = results.done();
        done.removeIf(one -> one.epoch() != current);
        if (!done.isEmpty()) {
          send(MessageType.RESULT, encode(done));
        }
      } else {
        send(MessageType.BYE);
        return false;
      }
    }
    if (!requests.isEmpty()) {
      send(MessageType.REQUEST, requests.drain());
    }
    return null;
  }

  /**
   * Sends a heartbeat when one is due and decides whether the connection still stands; with the
   * socket turn held.
   *
   * @return null to go on, or whether to reconnect
   */
  private Boolean checkConnection() {
    long now = System.nanoTime();
    if (now - lastSent >= heartbeatNanos) {
      send(MessageType.HEARTBEAT);
    }
    if (welcomed && unsent) {
      // JeroMQ would connect again, but under a new identity the broker does not know.
      WorkerLog.LOG.log(Level.WARNING, "the connection to the broker at " + config.brokerAddress()
          + " was lost; connecting again");
      return true;
    }
    // A message that found no connection to go on means the broker refused the handshake
    // too, whether or not the watch has seen that yet; one refusal counts once.
    if (!welcomed && ((watch != null && watch.refused()) | unsent)) {
      if (++refusals < HandshakeWatch.REFUSALS) {
        return true; // JeroMQ does not connect a refused socket again: a new socket tries
      }
      WorkerLog.LOG.log(Level.ERROR, "the broker at " + config.brokerAddress() + " closed the"
          + " connection during its handshake " + refusals + " times: the authkey does not"
          + " match the broker's (a wrong key, or a key on one side only)");
      exitCode = 2;
      return false;
    }
    if (!welcomed && now - helloSent > HELLO_RETRY_NANOS) {
      // Should the handshake limit not rescue a connection, a new socket does.
      return true;
    }
    if (now - lastReceived > config.brokerTimeoutNanos()) {
      if (config.exitOnBrokerLoss()) {
        WorkerLog.LOG.log(Level.WARNING, "broker " + config.brokerAddress() + " silent; exiting");
        exitCode = 3;
        return false;
      }
      return true;
    }
    return null;
  }

  /** Makes a waiter of the task thread run the event loop; see {@link #ioTurn}. */
  private void helpUntil(ReplyFuture reply, long deadlineNanos) {
    if (Thread.currentThread() == taskThread) {
      if (socketTurn.isHeldByCurrentThread() || loopUntil(reply::isDone, deadlineNanos)
          || Thread.currentThread().isInterrupted() || deadlineNanos - System.nanoTime() <= 0) {
        return;
      }
      awayFromTheLoop(); // no connection: the reply comes, or fails, once the next is made
      try {
        reply.awaitQuietly(deadlineNanos);
      } finally {
        backToTasks();
      }
      return;
    }
    othersWaiting.incrementAndGet();
    LockSupport.unpark(ioThread);
    try {
      reply.awaitQuietly(deadlineNanos);
    } finally {
      othersWaiting.decrementAndGet();
    }
  }

  /** Posts what is to be sent, and makes sure a thread sends it soon. */
  private void post(Outgoing out) {
    outgoing.post(out);
    if (Thread.currentThread() != taskThread || taskState != TASK_WAITING) {
      LockSupport.unpark(ioThread);
    }
  }

  /**
   * Posts a request whose reply the caller waits for next: on the task thread, that wait sends
   * it (see {@link #helpUntil}), so no thread is woken for it.
   */
  private void postAwaited(Ask ask) {
    if (Thread.currentThread() == taskThread) {
      outgoing.postQuietly(ask);
    } else {
      post(ask);
    }
  }

  @Override
  public ReplyFuture request(String op, String name, byte[] args) {
    ReplyFuture reply = new ReplyFuture(nextRequestId.getAndIncrement(), this::helpUntil);
    postAwaited(new Ask(new Request(reply.requestId(), op, name, args), reply));
    return reply;
  }

  @Override
  public ReplyFuture stream(String op, String name, Supplier<byte[]> args, boolean quiet) {
    ReplyFuture reply = new ReplyFuture(nextRequestId.getAndIncrement(), this::helpUntil);
    post(new Stream(op, name, args, quiet, reply));
    return reply;
  }

  @Override
  public ReplyFuture tell(String op, String name, byte[] args) {
    ReplyFuture reply = new ReplyFuture(nextRequestId.getAndIncrement(), this::helpUntil);
    Ask ask = new Ask(new Request(reply.requestId(), op, name, args, true), reply);
    if (Thread.currentThread() == taskThread && !socketTurn.isHeldByCurrentThread()) {
      // Sent at once on this thread when the socket turn is free. A woken I/O thread would
      // still hold the turn as the task's next request came (a lock's release, then the next
      // acquire), and the task would wait for it to let go: p50 of an acquire+release pair
      // 116 to 132 µs against 72 to 94 µs for a bare round trip. (From inside the loop, as in
      // a reply's callback, it is posted as any other.)
      outgoing.postQuietly(ask);
      loopNow();
    } else {
      post(ask);
    }
    return reply;
  }

  @Override
  public String brokerAddress() {
    return config.brokerAddress();
  }

  /** Handles one message; returns null to go on, or whether to reconnect. */
  private Boolean handle(ZMsg msg, int current) {
    MessageType type = MessageType.fromFrame(msg.pop().getData());
    if (type == null) {
      return null;
    }
    switch (type) {
      case TASK -> {
        try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
          int count = in.unpackArrayHeader();
          for (int i = 0; i < count; i++) {
            in.unpackArrayHeader();
            long key = in.unpackLong();
            long sessionId = in.unpackLong();
            held.incrementAndGet();
            work.add(new Task(key, sessionId, in.readPayload(in.unpackBinaryHeader()), current));
          }
        } catch (IOException | RuntimeException e) {
          WorkerLog.LOG.log(Level.WARNING, "malformed TASK message ignored", e);
        }
      }
      case REVOKE -> revoke(msg);
      case SESSION -> {
        try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
          work.add(new Initialize(in.unpackLong(), msg.pop().getData(), current));
        } catch (IOException | RuntimeException e) {
          WorkerLog.LOG.log(Level.WARNING, "malformed SESSION message ignored", e);
        }
      }
      case WELCOME, HEARTBEAT -> {
        welcomed = true;
        refusals = 0;
        if (!msg.isEmpty()) {
          try {
            heartbeatNanos = Welcome.decode(msg.pop().getData()).heartbeatMillis() * 1_000_000L;
          } catch (IOException e) {
            WorkerLog.LOG.log(Level.WARNING, "malformed WELCOME ignored", e);
          }
        }
      }
      case SIGNAL -> {
        // The client ends the Process this worker runs: the process ends as the signal would
        // end it, and its supervisor starts another.
        int signal = 9;
        try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
          signal = in.unpackInt();
        } catch (IOException | RuntimeException e) {
          WorkerLog.LOG.log(Level.WARNING, "malformed SIGNAL; ending as SIGKILL would", e);
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(128 + (signal > 0 && signal < 64 ? signal : 9));
      }
      case REPLY -> {
        try {
          while (!msg.isEmpty()) {
            asked.answered(Reply.decode(msg.pop().getData()));
          }
        } catch (IOException | RuntimeException e) {
          WorkerLog.LOG.log(Level.WARNING, "malformed REPLY ignored", e);
        }
      }
      case ERROR -> {
        try {
          ErrorReply reply = ErrorReply.decode(msg.pop().getData());
          if (reply.code() == ErrorCode.NOT_CONNECTED && welcomed) {
            // The broker does not know this worker any more: it restarted. Say HELLO again.
            WorkerLog.LOG.log(Level.INFO, "the broker at " + config.brokerAddress()
                + " restarted; connecting again");
            return true;
          }
          WorkerLog.LOG.log(Level.ERROR, "broker refused: " + reply.message());
          if (reply.code() == ErrorCode.AUTHENTICATION) {
            exitCode = 2;
            return false;
          }
        } catch (IOException | RuntimeException e) {
          WorkerLog.LOG.log(Level.WARNING, "malformed ERROR ignored", e);
        }
      }
      default -> WorkerLog.LOG.log(Level.WARNING,
          "unexpected " + type + " from the broker ignored");
    }
    return null;
  }

  /**
   * Gives the broker back the tasks it names that have not started, for an idle worker to run,
   * and tells it which they were; a task the task thread took meanwhile runs here.
   */
  private void revoke(ZMsg msg) {
    Set<Long> keys;
    try {
      keys = new HashSet<>(Wire.unpackLongs(msg.pop().getData()));
    } catch (IOException e) {
      WorkerLog.LOG.log(Level.WARNING, "malformed REVOKE ignored", e);
      return;
    }
    List<Long> released = new ArrayList<>();
    for (Work item : work) {
      // remove answers whether this thread took it, and not the task thread
      if (item instanceof Task task && task.epoch() == current && keys.contains(task.key())
          && work.remove(task)) {
        released.add(task.key());
      }
    }
    answered(released.size());
    send(MessageType.RELEASE, Wire.packLongs(released));
  }

  /** The task thread: runs tasks in order and posts their results in batches. */
  private void runTasks() {
    TaskRunner runner = new TaskRunner(config.allowedPackages(), config.name() + " (pid " + pid
        + " on " + host + ")");
    Map<Long, RemoteError> failedInitializers = new HashMap<>();
    List<Done> batch = new ArrayList<>();
    int batchBytes = 0;
    long batchSince = 0;
    int done = 0;
    int lastEpoch = 0;
    try {
      while (true) {
        Work next = batch.isEmpty() ? nextWork() : moreWork();
        if (next == null) {
          // Sent as this thread goes on to wait for the next task.
          int answering = batch.size();
          outgoing.postQuietly(new Results(batch));
          answered(answering);
          batch = new ArrayList<>();
          batchBytes = 0;
          continue;
        }
        if (next instanceof Stop) {
          return;
        }
        int workEpoch = next instanceof Task t ? t.epoch() : ((Initialize) next).epoch();
        if (workEpoch != lastEpoch) {
          // A new connection numbers its sessions afresh.
          failedInitializers.clear();
          lastEpoch = workEpoch;
        }
        if (next instanceof Initialize init) {
          if (output != null) {
            output.begin(init.sessionId(), init.epoch());
          }
          RemoteError error = runner.runInitializer(init.frame());
          if (output != null) {
            output.end();
          }
          if (error != null) {
            failedInitializers.put(init.sessionId(), error);
            System.err.println("mp4j: the pool initializer failed on " + config.name() + ": "
                + error);
          }
          continue;
        }
        Task task = (Task) next;
        long start = System.nanoTime();
        RemoteError initError = failedInitializers.get(task.sessionId());
        if (output != null) {
          output.begin(task.sessionId(), task.epoch());
        }
        ResultFrame result = initError != null ? initializerFailed(task, initError)
            : runner.run(task.frame());
        if (output != null) {
          output.end();
        }
        byte[] resultFrame = result.encode();
        long end = System.nanoTime();
        if (batch.isEmpty()) {
          batchSince = start;
        }
        batch.add(new Done(task.key(), end - start, resultFrame, task.epoch()));
        batchBytes += resultFrame.length;
        done++;
        boolean retire = config.maxTasks() > 0 && done >= config.maxTasks();
        if (retire || batch.size() >= RESULTS_PER_MESSAGE
            || batchBytes >= RESULT_BYTES_PER_MESSAGE || end - batchSince >= RESULT_WAIT_NANOS) {
          int answering = batch.size();
          post(new Results(batch));
          answered(answering);
          batch = new ArrayList<>();
          batchBytes = 0;
        }
        if (retire) {
          taskState = TASK_AWAY;
          post(new Retire());
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      taskState = TASK_AWAY;
      LockSupport.unpark(ioThread);
    }
  }

  /** The next task, waited for by running the event loop (see {@link #ioTurn}). */
  private Work nextWork() throws InterruptedException {
    Work next = work.poll();
    if (next != null) {
      if (!outgoing.isEmpty()) {
        loopNow(); // the last results, posted for the wait that this task made needless
      }
      return next;
    }
    if (loopUntil(() -> !work.isEmpty(), Long.MAX_VALUE)) {
      return work.poll();
    }
    awayFromTheLoop();
    try {
      return work.take();
    } finally {
      backToTasks();
    }
  }

  /** The task thread is about to wait without running the loop: the I/O thread runs it now. */
  private void awayFromTheLoop() {
    taskState = TASK_AWAY;
    LockSupport.unpark(ioThread);
  }

  private void backToTasks() {
    taskRunningSince = System.nanoTime();
    taskState = TASK_RUNNING;
  }

  /**
   * The next task if one is here or already on its way from the broker, or null: tasks that
   * arrived while the last ran join the results' batch before it is sent.
   */
  private Work moreWork() {
    Work next = work.poll();
    if (next == null) {
      loopNow();
      next = work.poll();
    }
    return next;
  }

  /**
   * One turn of the event loop without waiting, on this thread if it can take the socket turn
   * at once, else by the I/O thread: woken out of its poll, or out of its rest.
   */
  private void loopNow() {
    if (!loopOnceIfFree()) {
      outgoing.wake();
      LockSupport.unpark(ioThread);
    }
  }

  /**
   * One turn of the event loop without waiting, if the socket turn is free and the connection
   * stands; returns whether it ran.
   */
  private boolean loopOnceIfFree() {
    if (!socketTurn.tryLock()) {
      return false;
    }
    try {
      if (socket == null || ending != null) {
        return false;
      }
      loopOnce(0);
      return true;
    } finally {
      socketTurn.unlock();
    }
  }

  private static ResultFrame initializerFailed(Task task, RemoteError error) {
    try {
      var header = io.mp4j.protocol.TaskFrame.header(Slice.of(task.frame()));
      return ResultFrame.failed(header.taskId(), header.offset(), header.count(),
          ErrorCode.TASK_FAILED, new RemoteError("io.mp4j.InitializerException",
              "the pool initializer failed in this worker", List.of(), error));
    } catch (IOException e) {
      return ResultFrame.failed(-1, 0, 1, ErrorCode.MALFORMED,
          RemoteError.plain("java.io.IOException", e.getMessage()));
    }
  }

  /** The body of a RESULT message: an array of [key, nanos, result frame]. */
  private static byte[] encode(List<Done> done) {
    int size = Wire.arrayHeaderSize(done.size());
    for (Done one : done) {
      size += 1 + Wire.integerSize(one.key()) + Wire.integerSize(one.nanos())
          + Wire.binarySize(one.resultFrame().length);
    }
    return Wire.packExact(size, packer -> {
      packer.packArrayHeader(done.size());
      for (Done one : done) {
        packer.packArrayHeader(3);
        packer.packLong(one.key());
        packer.packLong(one.nanos());
        packer.packBinaryHeader(one.resultFrame().length);
        packer.writePayload(one.resultFrame());
      }
    });
  }

  private void send(MessageType type, byte[]... body) {
    if (!type.sendNow(socket, body)) {
      unsent = true;
    }
    lastSent = System.nanoTime();
  }

  private static String hostName() {
    String given = System.getenv(WorkerSupervisor.HOST_ENV);
    return given != null && !given.isEmpty() ? given : Hello.localHostName();
  }


}
