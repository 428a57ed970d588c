package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.CurveKeys;
import io.mp4j.protocol.HandshakeWatch;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.ErrorReply;
import io.mp4j.protocol.EventPoller;
import io.mp4j.protocol.Hello;
import io.mp4j.protocol.Mailbox;
import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.PendingRequests;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.ReplyFuture;
import io.mp4j.protocol.Request;
import io.mp4j.protocol.RequestBatch;
import io.mp4j.protocol.Welcome;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.msgpack.core.MessageUnpacker;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * The client's half of the conversation with the broker: callers post task frames and requests
 * through a {@link Mailbox}, and one thread at a time runs the event loop on the DEALER socket
 * that sends them and reads what comes back. That thread is the connection's I/O thread, or a
 * caller waiting for its own reply (see {@link #drive}), which then needs no hand-over between
 * threads either way. Frames posted close together leave as one SUBMIT message. Results go to
 * the listener on the loop's thread, which must hand them on at once.
 */
final class ClientConnection implements AutoCloseable, BrokerChannel {
  private static final System.Logger LOG = System.getLogger("io.mp4j.client");
  private static final long HELLO_RETRY_NANOS = 3_000_000_000L;
  private static final int HANDSHAKE_MILLIS = 1000;
  /** How long the I/O thread leaves the loop alone after a caller drove it (see shouldRest). */
  private static final long REST_NANOS = 10_000_000L;
  /**
   * How long a post may wait for the caller that posted it to drive the loop before the I/O
   * thread sends it itself: a caller posts, then waits.
   */
  private static final long GRACE_NANOS = 200_000L;

  /** What the connection reports; called on the I/O thread. */
  interface Listener {
    /** Result frames, slices of the message they came in. */
    void results(List<Slice> frames);

    void refused(ErrorReply reply);

    /**
     * The session ended with the broker; what it held is lost.
     *
     * @param notSent tasks posted and not sent yet, which go to the next session
     */
    void lost(Mp4jException cause, Set<Long> notSent);

    /** Whether tasks were submitted whose results have not all come; called on any thread. */
    boolean awaitsResults();
  }

  private sealed interface Outgoing {}

  private record Submit(byte[] frame) implements Outgoing {}

  private record Close() implements Outgoing {}

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

  private final ZContext context;
  private final boolean ownsContext;
  private final String address;
  private final Listener listener;
  private final Mailbox<Outgoing> mailbox = new Mailbox<>();
  private final CompletableFuture<Welcome> welcome = new CompletableFuture<>();
  private final Hello hello;
  private final Thread thread;
  private final long brokerTimeoutNanos;
  private volatile int workers;
  private final AtomicLong nextRequestId = new AtomicLong(1);
  /** Requests sent and not yet answered. */
  private final PendingRequests asked = new PendingRequests();
  private volatile boolean closed;
  /**
   * Held by the thread that runs the event loop: the I/O thread, or a caller waiting for a reply
   * (see {@link #drive}). The fields below that the loop uses are touched with it held.
   */
  private final ReentrantLock socketTurn = new ReentrantLock();
  /** The caller that drives the loop, or null. */
  private final AtomicReference<Thread> driving = new AtomicReference<>();
  /** When a caller last stopped driving the loop, by {@link System#nanoTime}. */
  private volatile long lastDriven = System.nanoTime() - REST_NANOS;
  /** When a caller last posted something to send. */
  private volatile long lastPosted;
  /** The caller that drove the loop last. */
  private volatile Thread lastDriver;
  /** Whether the I/O thread is resting or about to. */
  private volatile boolean resting;
  /** Whether the loop is over; then the I/O thread ends the connection. */
  private volatile boolean ended;
  /** Why the loop ended, when it failed. */
  private volatile ZMQException failure;
  /** Whether requests wait for replies, as the loop last saw; read without the turn. */
  private volatile boolean awaitingReplies;
  private ZMQ.Socket socket;
  private EventPoller poller;
  private long heartbeatNanos = 1_000_000_000L;
  private long lastSent;
  private long helloSent;
  private long lastReceived;
  private final List<byte[]> frames = new ArrayList<>();
  private final RequestBatch requests = new RequestBatch();
  /** Whether the current socket's session was welcomed. */
  private volatile boolean welcomed;
  /** Watches the current socket's handshakes. */
  private HandshakeWatch watch;
  /** Handshakes refused in a row. */
  private int refusals;
  /** What callers posted while the session was being replaced, sent first in the next one. */
  private final List<Outgoing> held = new ArrayList<>();
  private final ArrayDeque<Outgoing> mailboxFirst = new ArrayDeque<>();
  /** What {@link #handle} returns for an ERROR saying that the broker forgot this session. */
  private static final Welcome RESTARTED = new Welcome(-1, 0, 0, 0);
  private volatile boolean closeRequested;
  /** A message found no connection on the current socket. */
  private boolean unsent;

  /**
   * Connects and waits for the broker's WELCOME.
   *
   * @throws AuthenticationException when the broker refuses the authkey
   * @throws BrokerException when no broker answers within the timeout
   */
  ClientConnection(ZContext context, String address, byte[] authkey, byte[] initializer,
      Listener listener, Duration connectTimeout) {
    this.ownsContext = context == null;
    this.context = ownsContext ? new ZContext(1) : context;
    this.address = address;
    this.listener = listener;
    this.brokerTimeoutNanos = Duration.ofSeconds(10).toNanos();
    this.hello = new Hello(Wire.PROTOCOL_VERSION, Hello.Role.CLIENT, authkey, Hello.localHostName(),
        ProcessHandle.current().pid(), "client-" + ProcessHandle.current().pid(), 0, initializer);
    this.thread = new Thread(this::run, "mp4j-client-io");
    thread.setDaemon(true);
    thread.start();
    try {
      Welcome accepted = welcome.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      workers = accepted.workers();
    } catch (TimeoutException e) {
      close();
      throw new BrokerException("no mp4j broker answered at " + address + " within "
          + connectTimeout.toMillis() + " ms: check the address and that the broker runs");
    } catch (ExecutionException e) {
      close();
      if (e.getCause() instanceof Mp4jException refused) {
        throw refused;
      }
      throw new BrokerException("cannot connect to " + address, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new BrokerException("interrupted while connecting to " + address, e);
    }
  }

  /**
   * Queues one task frame for the broker; callable from any thread.
   *
   * @param callerWaits whether the calling thread waits for the result next (see {@link #post})
   */
  void submit(byte[] frame, boolean callerWaits) {
    post(new Submit(frame), callerWaits);
  }

  @Override
  public ReplyFuture request(String op, String name, byte[] args) {
    return ask(op, name, args, false);
  }

  @Override
  public ReplyFuture tell(String op, String name, byte[] args) {
    return ask(op, name, args, true);
  }

  @Override
  public ReplyFuture stream(String op, String name, Supplier<byte[]> args, boolean quiet) {
    ReplyFuture reply = new ReplyFuture(nextRequestId.getAndIncrement(), this::helpUntil);
    if (closeRequested) {
      reply.completeExceptionally(new BrokerException("the connection to " + address
          + " is closed"));
      return reply;
    }
    post(new Stream(op, name, args, quiet, reply), false);
    return reply;
  }

  private ReplyFuture ask(String op, String name, byte[] args, boolean quiet) {
    ReplyFuture reply = new ReplyFuture(nextRequestId.getAndIncrement(), this::helpUntil);
    if (closeRequested) {
      reply.completeExceptionally(new BrokerException("the connection to " + address
          + " is closed"));
      return reply;
    }
    post(new Ask(new Request(reply.requestId(), op, name, args, quiet), reply), !quiet);
    return reply;
  }

  /**
   * Posts what is to be sent. A resting I/O thread is woken to send it, unless a caller drives
   * the loop now, or the poster is the caller that drove it last and is likely to wait next,
   * driving the loop itself: a request, or a task whose result it waits for. (A request that
   * nobody waits for then leaves when the I/O thread's rest ends, within {@link #REST_NANOS}.)
   */
  private void post(Outgoing out, boolean likelyWaited) {
    lastPosted = System.nanoTime();
    boolean drivesNext = likelyWaited && Thread.currentThread() == lastDriver;
    if (drivesNext && resting && driving.get() == null) {
      // Its loop sends it before it waits (see turn), so the wake-up pipe is left alone: a
      // write, a poll that returns at once and a read saved on every call. Should it not come
      // to drive after all, drive wakes the loop, or the I/O thread's rest ends.
      mailbox.postQuietly(out);
      return;
    }
    mailbox.post(out);
    if (resting && driving.get() == null && !drivesNext) {
      LockSupport.unpark(thread);
    }
  }

  private void helpUntil(ReplyFuture reply, long deadlineNanos) {
    drive(reply::isDone, deadlineNanos);
  }

  @Override
  public String brokerAddress() {
    return address;
  }

  /** The number of workers the broker last reported. */
  int workers() {
    return workers;
  }

  /** The largest message the broker accepts. */
  int maxMessageBytes() {
    return welcome.getNow(null) == null ? 64 << 20 : welcome.join().maxMessageBytes();
  }

  private ZMQ.Socket openSocket() {
    unsent = false;
    ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
    socket.setSndHWM(0);
    socket.setRcvHWM(0);
    socket.setLinger(200);
    // A connecting JeroMQ socket's handshake stalls about once in a hundred connections and
    // would sit until the 30 s default; a short limit makes it reconnect at once.
    socket.setHandshakeIvl(HANDSHAKE_MILLIS);
    if (CurveKeys.encrypts(address, hello.authkey())) {
      CurveKeys.of(hello.authkey()).applyClient(socket);
    }
    watch = address.startsWith("tcp://") ? new HandshakeWatch(context, socket, HANDSHAKE_MILLIS)
        : null;
    socket.connect(address);
    return socket;
  }

  private void closeSocket(ZMQ.Socket socket) {
    if (watch != null) {
      watch.close();
      watch = null;
    }
    socket.close();
  }

  /**
   * The I/O thread: it runs the event loop whenever no caller does (see {@link #drive}), and ends
   * the connection when the loop has ended.
   */
  private void run() {
    socketTurn.lock();
    try {
      socket = openSocket();
      poller = new EventPoller();
      poller.add(socket);
      poller.add(mailbox.channel());
      lastSent = send(socket, MessageType.HELLO, hello.encode());
      helloSent = lastSent;
      lastReceived = System.nanoTime();
    } finally {
      socketTurn.unlock();
    }
    try {
      while (!ended) {
        if (shouldRest()) {
          resting = true;
          if (shouldRest()) {
            // A driver unparks this thread as it leaves; a fresh post is looked at again soon.
            boolean fresh = driving.get() == null && outstanding();
            LockSupport.parkNanos(this, fresh ? GRACE_NANOS : REST_NANOS);
          }
          resting = false;
          continue;
        }
        if (!socketTurn.tryLock()) {
          continue; // a caller came to drive the loop after all
        }
        try {
          while (!ended && !shouldRest()) {
            loopOnce(Long.MAX_VALUE);
          }
        } finally {
          socketTurn.unlock();
        }
      }
    } finally {
      socketTurn.lock();
      try {
        if (failure != null && !closeRequested) {
          LOG.log(Level.ERROR, "client connection failed", failure);
          listener.lost(new BrokerException("connection to " + address + " failed: " + failure,
              failure), Set.of());
        }
        failAsked(new BrokerException("the connection to " + address + " is closed"), true);
        poller.close();
        closeSocket(socket);
        if (ownsContext) {
          context.close();
        }
        mailbox.close();
      } finally {
        socketTurn.unlock();
      }
    }
  }

  /**
   * Whether the I/O thread leaves the loop to a caller: while one drives it, and for a moment
   * after, so that the next call of a caller that calls again and again finds the loop free
   * instead of having to wake the I/O thread out of it. What is posted meanwhile without a
   * caller to wait for it waits at most that moment; the I/O thread takes over sooner when a
   * driver leaves something unanswered, unless it was posted too recently for its poster to
   * have come to drive.
   */
  private boolean shouldRest() {
    if (driving.get() != null) {
      return true;
    }
    long now = System.nanoTime();
    if (!welcomed || now - lastDriven >= REST_NANOS) {
      return false;
    }
    return !outstanding() || now - lastPosted < GRACE_NANOS;
  }

  /** Whether the loop has something to wait for or to send. */
  private boolean outstanding() {
    return awaitingReplies || !mailbox.isEmpty() || listener.awaitsResults();
  }

  /**
   * Runs the event loop on the calling thread until {@code done} holds or the deadline passes:
   * a caller that waits for its reply reads it off the socket itself, with no hand-over between
   * threads on the way out or back. Only one caller drives at a time; another returns at once
   * and waits in the ordinary way, its reply read by the driver or by the I/O thread after it.
   * Returns at once, too, on the I/O thread, on a thread that runs the loop already (a callback
   * of a future the loop completed), between sessions and once the connection has ended.
   */
  void drive(BooleanSupplier done, long deadlineNanos) {
    Thread me = Thread.currentThread();
    if (me == thread || socketTurn.isHeldByCurrentThread() || ended || !welcomed
        || me.isInterrupted() || !driving.compareAndSet(null, me)) {
      if (!mailbox.isEmpty()) {
        mailbox.wake(); // what this caller posted quietly, for whoever runs the loop
      }
      return;
    }
    boolean handBack = true;
    try {
      if (!socketTurn.tryLock()) {
        // The I/O thread runs the loop: woken, it sees a driver and lets go.
        mailbox.wake();
        socketTurn.lock();
      }
      try {
        while (!done.getAsBoolean() && !ended && welcomed && !me.isInterrupted()) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            break;
          }
          loopOnce(left);
        }
      } finally {
        lastDriven = System.nanoTime();
        lastDriver = me;
        handBack = ended || !welcomed || outstanding();
        socketTurn.unlock();
      }
    } finally {
      driving.set(null);
      if (handBack) {
        LockSupport.unpark(thread);
      }
    }
  }

  /**
   * One turn of the event loop, by the thread holding the socket turn: reads what came, keeps
   * the session alive or replaces it, sends what callers posted, and waits up to the heartbeat,
   * the loop's own limits and {@code maxWaitNanos} for more. Sets {@link #ended} when the
   * connection is over.
   */
  private void loopOnce(long maxWaitNanos) {
    try {
      turn(maxWaitNanos);
    } catch (ZMQException e) {
      if (!closeRequested) {
        failure = e;
      }
      ended = true;
    } finally {
      awaitingReplies = !asked.isEmpty();
    }
  }

  private void turn(long maxWaitNanos) {
    if (welcomed && !mailbox.isEmpty()) {
      // What a driving caller posted quietly goes before the wait for its answer.
      if (sendPosted(false)) {
        ended = true;
        return;
      }
    }
    long wait = Math.max(0, (lastSent + heartbeatNanos - System.nanoTime()) / 1_000_000);
    long waitMillis = Math.min(wait + 1, welcomed ? 250 : 50);
    poller.poll(Math.min(waitMillis, maxWaitNanos / 1_000_000 + 1));
    String restart = null;
    if (poller.readable(0)) {
      for (ZMsg msg = ZMsg.recvMsg(socket, ZMQ.DONTWAIT); msg != null;
          msg = ZMsg.recvMsg(socket, ZMQ.DONTWAIT)) {
        lastReceived = System.nanoTime();
        Welcome update = handle(msg);
        if (update == RESTARTED) {
          restart = "the broker no longer knows this client's session: it restarted";
        } else if (update != null) {
          heartbeatNanos = update.heartbeatMillis() * 1_000_000L;
          workers = update.workers();
        }
      }
    }
    long now = System.nanoTime();
    if (welcomed && now - lastReceived > brokerTimeoutNanos) {
      restart = "nothing heard from it for " + (now - lastReceived) / 1_000_000 + " ms";
    } else if (welcomed && unsent) {
      // JeroMQ would connect again, but under a new identity the broker does not know.
      restart = "the connection to it was lost";
    }
    if (restart != null) {
      // The old session is gone with everything it held: say so to the callers waiting on it,
      // and start a new one on a new socket, where no stale message waits to go out.
      reconnect(restart);
      closeSocket(socket);
      socket = openSocket();
      poller.replace(0, socket);
      helloSent = send(socket, MessageType.HELLO, hello.encode());
      lastSent = helloSent;
      lastReceived = helloSent;
      return;
    }
    boolean newSocket = false;
    // A message that found no connection to go on means the broker refused the handshake too,
    // whether or not the watch has seen that yet; one refusal counts once.
    if (!welcomed && ((watch != null && watch.refused()) | unsent)) {
      // JeroMQ does not connect a refused socket again: a new socket tries once more.
      newSocket = true;
      if (++refusals >= HandshakeWatch.REFUSALS) {
        AuthenticationException refused = new AuthenticationException("the broker at "
            + address + " closed the connection during its handshake " + refusals
            + " times: the authkey does not match the broker's (a wrong key, or a key on"
            + " one side only; an authkey means CurveZMQ)");
        if (!welcome.isDone()) {
          welcome.completeExceptionally(refused);
          ended = true;
          return;
        }
        // Reconnecting to a broker that now has another key: callers hear it, and the
        // connection goes on trying in case the right broker comes back.
        refusals = 0;
        listener.lost(refused, Set.of());
        failAsked(refused, true);
      }
    }
    if (!welcomed && (newSocket || now - helloSent > HELLO_RETRY_NANOS)) {
      // Should the handshake limit not rescue a connection, a new socket does.
      closeSocket(socket);
      socket = openSocket();
      poller.replace(0, socket);
      helloSent = send(socket, MessageType.HELLO, hello.encode());
      lastSent = helloSent;
    }
    if (welcomed && !held.isEmpty()) {
      mailboxFirst.addAll(held);
      held.clear();
    }
    if ((poller.readable(1) || !mailboxFirst.isEmpty()) && welcomed) {
      if (sendPosted(true)) {
        ended = true;
        return;
      }
    } else if (poller.readable(1)) {
      // Between sessions: keep what callers post for the next one, without spinning on the
      // mailbox's signal.
      mailbox.clearSignal();
      for (Outgoing out = mailbox.poll(); out != null; out = mailbox.poll()) {
        if (out instanceof Close) {
          ended = true;
          return;
        }
        held.add(out);
      }
      if (closeRequested) {
        ended = true;
        return;
      }
    }
    now = System.nanoTime();
    if (now - lastSent >= heartbeatNanos && welcomed) {
      lastSent = send(socket, MessageType.HEARTBEAT);
    }
  }

  /**
   * Sends what callers posted: task frames together as SUBMITs, requests together as REQUESTs.
   *
   * @param woken whether the mailbox's signal woke the loop, to be cleared; before the poll,
   *     what was posted quietly goes without touching the pipe
   * @return whether a Close was among them, after which BYE has been said
   */
  private boolean sendPosted(boolean woken) {
    if (woken) {
      mailbox.clearSignal();
    }
    int bytes = 0;
    for (Outgoing out = nextOutgoing(); out != null; out = nextOutgoing()) {
      if (out instanceof Close) {
        if (!frames.isEmpty()) {
          send(socket, MessageType.SUBMIT, Wire.packBinaries(frames));
          frames.clear();
        }
        if (!requests.isEmpty()) {
          send(socket, MessageType.REQUEST, requests.drain());
        }
        send(socket, MessageType.BYE);
        return true;
      }
      if (out instanceof Stream stream) {
        out = stream.resolve();
        if (out == null) {
          continue;
        }
      }
      if (out instanceof Ask ask) {
        asked.sent(ask.request(), ask.reply());
        if (requests.add(ask.request())) {
          lastSent = send(socket, MessageType.REQUEST, requests.drain());
        }
        continue;
      }
      byte[] frame = ((Submit) out).frame();
      if (bytes + frame.length > Wire.BATCH_BYTES && !frames.isEmpty()) {
        lastSent = send(socket, MessageType.SUBMIT, Wire.packBinaries(frames));
        frames.clear();
        bytes = 0;
      }
      frames.add(frame);
      bytes += frame.length;
    }
    if (!frames.isEmpty()) {
      lastSent = send(socket, MessageType.SUBMIT, Wire.packBinaries(frames));
      frames.clear();
    }
    if (!requests.isEmpty()) {
      lastSent = send(socket, MessageType.REQUEST, requests.drain());
    }
    return false;
  }

  private Outgoing nextOutgoing() {
    Outgoing first = mailboxFirst.poll();
    return first != null ? first : mailbox.poll();
  }

  /**
   * Ends the current session after the broker was lost or restarted. What was sent in it is lost
   * with it: tasks and requests fail with a BrokerException at once, never hang. What callers
   * posted and was not sent yet is kept for the next session.
   */
  private void reconnect(String reason) {
    welcomed = false;
    for (Outgoing out = mailbox.poll(); out != null; out = mailbox.poll()) {
      held.add(out);
    }
    Set<Long> notSent = new HashSet<>();
    for (Outgoing out : held) {
      if (out instanceof Submit submit) {
        try {
          notSent.add(TaskFrame.header(Slice.of(submit.frame())).taskId());
        } catch (IOException e) {
          // A frame this client wrote always has a header.
        }
      }
    }
    BrokerException lost = new BrokerException("lost the session with the broker at " + address
        + " (" + reason + "); the tasks and requests in flight in it were lost; reconnecting");
    LOG.log(Level.WARNING, lost.getMessage());
    listener.lost(lost, notSent);
    failAsked(lost, false);
  }

  /** Fails the requests waiting for a reply and, when the connection ends, those not sent. */
  private void failAsked(Mp4jException cause, boolean closing) {
    asked.failAll(cause);
    if (!closing) {
      return;
    }
    List<Outgoing> unsent = new ArrayList<>(held);
    unsent.addAll(mailboxFirst);
    held.clear();
    mailboxFirst.clear();
    for (Outgoing out = mailbox.poll(); out != null; out = mailbox.poll()) {
      unsent.add(out);
    }
    for (Outgoing out : unsent) {
      if (out instanceof Ask ask) {
        ask.reply().completeExceptionally(cause);
      } else if (out instanceof Stream stream) {
        stream.reply().completeExceptionally(cause);
      }
    }
  }

  /** Handles a message; returns the broker's settings when it sent them. */
  private Welcome handle(ZMsg msg) {
    ZFrame typeFrame = msg.pop();
    MessageType type = typeFrame == null ? null : MessageType.fromFrame(typeFrame.getData());
    if (type == null) {
      return null;
    }
    try {
      switch (type) {
        case RESULT -> listener.results(Wire.unpackSlices(msg.pop().getData()));
        case OUTPUT -> printRemoteOutput(msg);
        case REPLY -> {
          for (ZFrame frame : msg) {
            asked.answered(Reply.decode(frame.getData()));
          }
        }
        case WELCOME, HEARTBEAT -> {
          Welcome settings = Welcome.decode(msg.pop().getData());
          if (type == MessageType.WELCOME) {
            if (welcome.isDone()) {
              LOG.log(Level.INFO, "reconnected to the broker at " + address + ": session "
                  + settings.sessionId());
            }
            welcomed = true;
            refusals = 0;
            if (watch != null) {
              watch.close(); // the handshake is over; nothing more to watch on this socket
              watch = null;
            }
          }
          welcome.complete(settings);
          return settings;
        }
        case ERROR -> {
          ErrorReply reply = ErrorReply.decode(msg.pop().getData());
          if (welcomed && reply.code() == ErrorCode.NOT_CONNECTED) {
            return RESTARTED;
          }
          if (!welcome.isDone()) {
            welcome.completeExceptionally(reply.code() == ErrorCode.AUTHENTICATION
                ? new AuthenticationException("the broker at " + address + " refused this"
                    + " client: " + reply.message())
                : new BrokerException("the broker at " + address + " refused this client: "
                    + reply.message()));
          } else {
            listener.refused(reply);
          }
        }
        default -> LOG.log(Level.WARNING, "unexpected " + type + " from the broker ignored");
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "malformed " + type + " from the broker ignored", e);
    }
    return null;
  }

  /**
   * Prints what a task printed on a remote worker, each line after the worker's host and pid, on
   * this process's standard output or error as the task printed it.
   */
  private static void printRemoteOutput(ZMsg msg) throws IOException {
    if (msg.size() != 2) {
      throw new IOException("OUTPUT has a source frame and a lines frame");
    }
    String prefix;
    try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
      in.unpackArrayHeader();
      prefix = "[" + in.unpackString() + ":" + in.unpackLong() + "] ";
    } catch (RuntimeException e) {
      throw new IOException("malformed OUTPUT source: " + e.getMessage(), e);
    }
    try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
      int count = in.unpackArrayHeader();
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      for (int i = 0; i < count; i++) {
        in.unpackArrayHeader();
        int stream = in.unpackInt();
        (stream == 2 ? err : out).append(prefix).append(in.unpackString()).append('\n');
      }
      if (out.length() > 0) {
        System.out.print(out);
        System.out.flush();
      }
      if (err.length() > 0) {
        System.err.print(err);
        System.err.flush();
      }
    } catch (RuntimeException e) {
      throw new IOException("malformed OUTPUT lines: " + e.getMessage(), e);
    }
  }

  /** Sends a message to the broker and returns the time; notes a socket that lost its link. */
  private long send(ZMQ.Socket socket, MessageType type, byte[]... body) {
    if (!type.sendNow(socket, body)) {
      unsent = true;
    }
    return System.nanoTime();
  }



  /** Says BYE and stops the I/O thread; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closeRequested = true;
    mailbox.post(new Close());
    LockSupport.unpark(thread);
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
  }
}
