package io.mp4j.broker;

import io.mp4j.protocol.CurveKeys;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.ErrorReply;
import io.mp4j.protocol.EventPoller;
import io.mp4j.protocol.Hello;
import io.mp4j.protocol.Mailbox;
import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.RemoteError;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Request;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Welcome;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.msgpack.core.MessageUnpacker;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * The broker's event loop: one thread owns every socket and every piece of state.
 *
 * <h2>Shape</h2>
 * One ROUTER socket serves clients and workers alike (the Majordomo broker's shape); the first
 * frame after the identity says what the message is. Clients and workers are DEALERs, so
 * either side can send at any time. State lives in plain maps and deques owned by this thread;
 * other threads reach it only through the {@link Mailbox}, so there are no locks.
 *
 * <h2>Dispatch</h2>
 * Each client session has a FIFO of tasks. Sessions with tasks and workers with spare capacity
 * each sit in a round-robin deque, and {@link #dispatch} pairs them one task at a time, so that
 * clients share workers fairly and tasks spread evenly; an idle worker goes first. A worker's
 * capacity adapts to how long its tasks take: enough tasks to keep it busy for {@link
 * #TARGET_BATCH_NANOS}, at most the prefetch limit, and at least two, so that it starts its next
 * task as it ends one instead of a round trip later. Tiny tasks therefore go out in batches
 * (fast). When a worker is idle with nothing queued while another holds tasks it has not
 * started, the broker asks that one to give the later half back ({@code REVOKE}), and what it
 * gives back ({@code RELEASE}) goes to the idle one: long tasks stay balanced. The broker always
 * knows which worker holds which task.
 *
 * <h2>Faults</h2>
 * A worker that says nothing for the worker timeout, or whose process the local supervisor saw
 * exit, is removed by {@link #removeWorker}; its tasks go back to the front of their queues.
 * A task with several calls is split into single calls first, so that the one call that kills
 * its worker fails alone, with WORKER_LOST, once {@code maxAttempts} workers died holding it.
 * Anything a peer sends that cannot be parsed, is too large, or is out of place is dropped and
 * counted, and the sender gets an ERROR; the loop goes on serving everyone else.
 */
final class BrokerLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger("io.mp4j.broker");
  /** How much work, in time, one worker should hold at once. */
  private static final long TARGET_BATCH_NANOS = 2_000_000;
  /** The most messages handled before the loop looks at its mailbox and timers again. */
  private static final int MESSAGES_PER_TURN = 1000;

  sealed interface Command {}

  record Stop() implements Command {}

  record WorkerExited(long pid, String cause) implements Command {}

  record StatsRequest(CompletableFuture<BrokerStats> reply) implements Command {}

  private final BrokerConfig config;
  private final ZContext context;
  private final ZMQ.Socket router;
  private final Mailbox<Command> mailbox;
  private final EventPoller poller = new EventPoller();
  private final String endpoint;
  private final String inprocEndpoint;
  /** The CurveZMQ keys when the TCP socket encrypts, else null. */
  private final CurveKeys curveKeys;
  /** Answers ZAP requests: which CurveZMQ clients may connect. Null without encryption. */
  private final ZMQ.Socket zap;

  private final Map<String, Peer> peers = new HashMap<>();
  private final SharedState shared;
  private final Map<Long, Worker> workersByPid = new HashMap<>();
  private final Map<Long, QueuedTask> inFlight = new HashMap<>();
  private final ArrayDeque<Session> sessionsWithTasks = new ArrayDeque<>();
  private final ArrayDeque<Worker> workersWithCapacity = new ArrayDeque<>();
  /** Workers with capacity that hold nothing: dispatch gives them work first. */
  private final ArrayDeque<Worker> idleWorkers = new ArrayDeque<>();
  /** Whether a worker may hold tasks it has not started that an idle one could take over. */
  private boolean stealable;
  private final List<Session> sessionsToFlush = new ArrayList<>();
  private final List<Worker> workersToFlush = new ArrayList<>();
  private final List<Peer> peersToReply = new ArrayList<>();
  private long nextSessionId = 1;
  private long nextKey = 1;
  private int queuedTasks;
  private long nextTimerCheck;
  private boolean running = true;
  /** Whether clients must hear the new worker count, which sets their default chunk size. */
  private boolean workersChanged;

  private long tasksCompleted;
  private long tasksRequeued;
  private long workersLost;
  private long malformedDropped;
  private long oversizedDropped;
  private long unknownTypeDropped;
  private long authFailures;
  /** Calls (not chunks) whose results went back to their clients: what tasks/s counts. */
  private long callsCompleted;
  private final RateMeter callRate = new RateMeter(5_000_000_000L);
  private final ConnectionMonitor connections;
  private final long startedNanos;

  BrokerLoop(BrokerConfig config, Mailbox<Command> mailbox) {
    this.config = config;
    this.shared = new SharedState(this::reply, config.registeredTypes());
    this.mailbox = mailbox;
    this.context = config.context() != null ? config.context() : new ZContext(1);
    this.router = context.createSocket(SocketType.ROUTER);
    router.setSndHWM(0);
    router.setRcvHWM(0);
    router.setLinger(0);
    router.setMaxMsgSize(2L * config.maxMessageBytes() + (1 << 20));
    router.setRouterHandover(true);
    // JeroMQ reads a message over its threshold (1 MiB by default) into a direct buffer, which
    // ZMsg then copies out whole; a map's chunks of results are often larger. Under 8 MiB it
    // reads into the array we keep. (NIO reads a socket into an array through a direct buffer of
    // its own that each I/O thread keeps, as large as the largest such message.)
    router.setMsgAllocationHeapThreshold(8 << 20);
    if (config.encrypts()) {
      curveKeys = CurveKeys.of(config.authkey());
      // The ZAP handler must be bound before the first connection arrives; the context holds one.
      zap = context.createSocket(SocketType.REP);
      zap.setLinger(0);
      zap.bind("inproc://zeromq.zap.01");
      curveKeys.applyServer(router);
    } else {
      curveKeys = null;
      zap = null;
    }
    router.bind(config.bindAddress());
    this.endpoint = router.getLastEndpoint();
    if (config.context() != null) {
      this.inprocEndpoint = "inproc://mp4j-broker-" + System.identityHashCode(this);
      router.bind(inprocEndpoint);
    } else {
      this.inprocEndpoint = null;
    }
    // One monitor per socket: ZeroMQ keeps only the last one set.
    this.connections = new ConnectionMonitor(context, router,
        Integer.toString(System.identityHashCode(this)), zap != null);
    this.startedNanos = config.nanoClock().getAsLong();
    poller.add(router);
    poller.add(mailbox.channel());
    poller.add(connections.socket());
    if (zap != null) {
      poller.add(zap);
    }
  }

  String endpoint() {
    return endpoint;
  }

  String inprocEndpoint() {
    return inprocEndpoint;
  }

  @Override
  public void run() {
    try {
      while (running) {
        long now = config.nanoClock().getAsLong();
        long nextDeadline = Math.min(nextTimerCheck, shared.nextDeadline());
        long waitMillis = Math.max(0, (nextDeadline - now + 999_999) / 1_000_000);
        poller.poll(waitMillis);
        if (poller.readable(0)) {
          readMessages();
        }
        if (zap != null && poller.readable(3)) {
          answerZap();
        }
        if (poller.readable(1)) {
          mailbox.clearSignal();
          for (Command command = mailbox.poll(); command != null; command = mailbox.poll()) {
            handle(command);
          }
        }
        if (poller.readable(2)) {
          authFailures += connections.drain();
        }
        now = config.nanoClock().getAsLong();
        shared.expire(now);
        if (now - nextTimerCheck >= 0) {
          callRate.sample(now, callsCompleted);
          checkTimers(now);
          nextTimerCheck = now + config.heartbeatNanos() / 4;
        }
        dispatch();
        flush();
        if (workersChanged) {
          workersChanged = false;
          for (Peer peer : peers.values()) {
            if (peer instanceof Session) {
              sendHeartbeat(peer);
            }
          }
        }
      }
    } catch (ZMQException e) {
      if (running) {
        LOG.log(Level.ERROR, "broker loop failed", e);
      }
    } finally {
      poller.close();
      if (zap != null) {
        zap.close();
      }
      router.close();
      connections.close();
      if (config.context() == null) {
        context.close();
      }
      mailbox.close();
    }
  }

  /** Reads and handles the messages waiting, a turn's worth. */
  private void readMessages() {
    for (int i = 0; i < MESSAGES_PER_TURN; i++) {
      ZMsg msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT);
      if (msg == null) {
        return;
      }
      long now = config.nanoClock().getAsLong();
      try {
        handle(msg, now);
      } catch (RuntimeException e) {
        // Whatever a peer sent, the loop goes on serving the others.
        malformedDropped++;
        LOG.log(Level.WARNING, "dropped a message that could not be handled", e);
      }
    }
  }

  /**
   * Answers the ZAP requests waiting: a CurveZMQ client is let in when its long-term key is the
   * one derived from the authkey, which only a holder of the authkey can have.
   */
  private void answerZap() {
    for (ZMsg request = ZMsg.recvMsg(zap, ZMQ.DONTWAIT); request != null;
        request = ZMsg.recvMsg(zap, ZMQ.DONTWAIT)) {
      List<byte[]> frames = new ArrayList<>();
      request.forEach(frame -> frames.add(frame.getData()));
      // [version, requestId, domain, address, identity, mechanism, credentials...]
      boolean ok = frames.size() >= 7
          && "CURVE".equals(new String(frames.get(5), StandardCharsets.US_ASCII))
          && curveKeys.acceptsPeer(frames.get(6));
      if (!ok) {
        authFailures++;
        String address = frames.size() > 3 ? new String(frames.get(3), StandardCharsets.UTF_8)
            : "?";
        LOG.log(Level.WARNING, "refused a connection from " + address
            + ": its CurveZMQ key does not come from the authkey");
      }
      ZMsg reply = new ZMsg();
      reply.add("1.0");
      reply.add(frames.size() > 1 ? frames.get(1) : new byte[0]);
      reply.add(ok ? "200" : "400");
      reply.add(ok ? "OK" : "wrong authkey");
      reply.add("");
      reply.add(new byte[0]);
      reply.send(zap);
    }
  }

  private void handle(ZMsg msg, long now) {
    byte[] identity = msg.pop().getData();
    long size = 0;
    for (var frame : msg) {
      size += frame.size();
    }
    if (size > config.maxMessageBytes()) {
      oversizedDropped++;
      sendError(identity, ErrorCode.TOO_LARGE,
          "message of " + size + " bytes is over the broker's limit of "
              + config.maxMessageBytes() + " bytes; it was dropped");
      return;
    }
    MessageType type = msg.isEmpty() ? null : MessageType.fromFrame(msg.pop().getData());
    if (type == null) {
      unknownTypeDropped++;
      sendError(identity, ErrorCode.UNKNOWN_TYPE, "unknown message type; the message was dropped");
      return;
    }
    Peer peer = peers.get(key(identity));
    if (type == MessageType.HELLO) {
      hello(identity, peer, msg, now);
      return;
    }
    if (peer == null && type == MessageType.BYE) {
      return; // a refused or expired peer saying goodbye; there is nothing to answer
    }
    if (peer == null) {
      unknownTypeDropped++;
      sendError(identity, ErrorCode.NOT_CONNECTED, "send HELLO first; the message was dropped");
      return;
    }
    peer.lastReceived = now;
    if (peer instanceof Session session) {
      switch (type) {
        case SUBMIT -> submit(session, msg);
        case REQUEST -> request(session, msg, now);
        case HEARTBEAT -> { }
        case BYE -> removeSession(session);
        default -> misplaced(identity, type, "a client");
      }
    } else {
      Worker worker = (Worker) peer;
      switch (type) {
        case RESULT -> results(worker, msg);
        case OUTPUT -> output(worker, msg);
        case REQUEST -> request(worker, msg, now);
        case RELEASE -> released(worker, msg);
        case HEARTBEAT -> { }
        case BYE -> removeWorker(worker, null);
        default -> misplaced(identity, type, "a worker");
      }
    }
  }

  private void misplaced(byte[] identity, MessageType type, String role) {
    unknownTypeDropped++;
    sendError(identity, ErrorCode.UNKNOWN_TYPE,
        role + " may not send " + type + "; the message was dropped");
  }

  private void hello(byte[] identity, Peer existing, ZMsg msg, long now) {
    Hello hello;
    try {
      if (msg.size() != 1) {
        throw new IOException("HELLO has one body frame");
      }
      hello = Hello.decode(msg.pop().getData());
    } catch (IOException e) {
      malformedDropped++;
      sendError(identity, ErrorCode.MALFORMED, "malformed HELLO: " + e.getMessage());
      return;
    }
    if (hello.version() != Wire.PROTOCOL_VERSION) {
      malformedDropped++;
      sendError(identity, ErrorCode.MALFORMED,
          "protocol version " + hello.version() + " is not spoken here; this broker speaks "
              + Wire.PROTOCOL_VERSION);
      return;
    }
    if (!authorized(hello.authkey())) {
      authFailures++;
      LOG.log(Level.WARNING, "refused " + hello.role() + " " + hello.name() + " (pid "
          + hello.pid() + " on " + hello.host() + "): wrong or missing authkey");
      sendError(identity, ErrorCode.AUTHENTICATION, "authentication failed: wrong or missing authkey");
      return;
    }
    if (existing instanceof Worker worker) {
      removeWorker(worker, "it connected again");
    } else if (existing instanceof Session session) {
      removeSession(session);
    }
    long sessionId;
    if (hello.role() == Hello.Role.CLIENT) {
      Session session = new Session(identity, hello.name(), now, nextSessionId++,
          hello.initializer());
      peers.put(key(identity), session);
      sessionId = session.id;
    } else {
      Worker worker = new Worker(identity, hello.name(), now, hello.host(), hello.pid(),
          hello.taskLimit());
      peers.put(key(identity), worker);
      workersByPid.put(worker.pid, worker);
      schedule(worker);
      sessionId = 0;
      LOG.log(Level.DEBUG, "worker " + worker.describe() + " joined");
      workersChanged = true;
      config.onWorkerJoined().accept(worker.pid);
    }
    send(identity, MessageType.WELCOME,
        new Welcome(sessionId, (int) (config.heartbeatNanos() / 1_000_000),
            config.maxMessageBytes(), workersByPid.size()).encode());
  }

  private boolean authorized(byte[] presented) {
    byte[] expected = config.authkey();
    if (expected == null) {
      return true;
    }
    return presented != null && MessageDigest.isEqual(expected, presented);
  }

  private void submit(Session session, ZMsg msg) {
    List<Slice> frames;
    try {
      if (msg.size() != 1) {
        throw new IOException("SUBMIT has one body frame");
      }
      frames = Wire.unpackSlices(msg.pop().getData());
    } catch (IOException e) {
      malformedDropped++;
      sendError(session.identity, ErrorCode.MALFORMED, "malformed SUBMIT dropped: "
          + e.getMessage());
      return;
    }
    for (Slice data : frames) {
      TaskFrame.Header header;
      try {
        header = TaskFrame.header(data);
      } catch (IOException e) {
        malformedDropped++;
        sendError(session.identity, ErrorCode.MALFORMED,
            "malformed task frame dropped: " + e.getMessage());
        continue;
      }
      session.pending.addLast(new QueuedTask(session, data, header.taskId(), header.offset(),
          header.count(), 0, header.exclusive()));
      queuedTasks++;
    }
    schedule(session);
  }

  /** Handles a REQUEST message: body frames of one or more requests each. */
  private void request(Peer peer, ZMsg msg, long now) {
    for (var frame : msg) {
      List<Request> requests;
      try {
        requests = Request.decodeAll(frame.getData());
      } catch (IOException e) {
        malformedDropped++;
        sendError(peer.identity, ErrorCode.MALFORMED, "malformed REQUEST dropped: "
            + e.getMessage());
        continue;
      }
      for (Request request : requests) {
        handleRequest(peer, request, now);
      }
    }
  }

  private void handleRequest(Peer peer, Request request, long now) {
    if (request.op().equals("task.signal") && peer instanceof Session session) {
      signal(session, request);
    } else if (request.op().equals(BrokerStatus.OP)) {
      reply(peer, Reply.ok(request.requestId(), status(peer, now)));
    } else if (request.op().equals("worker.drain") && peer instanceof Worker worker) {
      drain(worker, request);
    } else if (request.op().equals("worker.exited") && peer instanceof Worker worker) {
      siblingExited(worker, request);
    } else {
      shared.handle(peer, request, now);
    }
  }


  /**
   * Ends the worker process that runs a session's task, as a signal would: a Process's
   * terminate or kill. A task not started yet is dropped and fails at once.
   */
  private void signal(Session session, Request request) {
    long taskId;
    int signal;
    try (MessageUnpacker args = Wire.unpacker(request.args())) {
      args.unpackArrayHeader();
      taskId = args.unpackLong();
      signal = args.unpackInt();
    } catch (IOException | RuntimeException e) {
      reply(session, Reply.failed(request.requestId(), ErrorCode.BAD_REQUEST,
          "task.signal takes [taskId, signal]"));
      return;
    }
    for (QueuedTask task : inFlight.values()) {
      if (task.session == session && task.taskId == taskId) {
        send(task.worker.identity, MessageType.SIGNAL, Wire.pack(packer -> packer.packInt(signal)));
        reply(session, Reply.ok(request.requestId(), Wire.pack(packer -> packer.packBoolean(true))));
        return;
      }
    }
    for (Iterator<QueuedTask> it = session.pending.iterator(); it.hasNext(); ) {
      QueuedTask task = it.next();
      if (task.taskId == taskId) {
        it.remove();
        queuedTasks--;
        break;
      }
    }
    reply(session, Reply.ok(request.requestId(), Wire.pack(packer -> packer.packBoolean(false))));
  }

  /**
   * A worker whose daemon is stopping: it is given no more tasks, and finishes those it holds.
   * The reply follows every task sent to it before, so when it arrives the worker knows that
   * nothing more is coming.
   */
  private void drain(Worker worker, Request request) {
    worker.draining = true;
    unschedule(worker);
    LOG.log(Level.INFO, "worker " + worker.describe() + " drains its " + worker.inFlight.size()
        + " tasks");
    reply(worker, Reply.ok(request.requestId()));
  }

  /**
   * A worker daemon's process died and a sibling of it says so: its tasks move now rather than
   * after the heartbeat timeout. Only a worker on the same host may say so, since pids are
   * unique only within a host.
   */
  private void siblingExited(Worker reporter, Request request) {
    long pid;
    String cause;
    try (MessageUnpacker args = Wire.unpacker(request.args())) {
      args.unpackArrayHeader();
      pid = args.unpackLong();
      cause = args.unpackString();
    } catch (IOException | RuntimeException e) {
      reply(reporter, Reply.failed(request.requestId(), ErrorCode.BAD_REQUEST,
          "worker.exited takes [pid, cause]"));
      return;
    }
    Worker dead = workersByPid.get(pid);
    if (dead != null && dead != reporter && dead.host.equals(reporter.host)) {
      removeWorker(dead, cause + " (reported by its daemon)");
    }
    reply(reporter, Reply.ok(request.requestId()));
  }

  /** Queues a reply; the replies of one turn leave together, one REPLY message per peer. */
  private void reply(Peer peer, Reply reply) {
    reply(peer, reply.encode());
  }

  /** Queues a reply's body frame, encoded. */
  private void reply(Peer peer, byte[] frame) {
    if (peers.get(key(peer.identity)) == peer) {
      if (peer.replies.isEmpty()) {
        peersToReply.add(peer);
      }
      peer.replies.add(frame);
    }
  }

  private void results(Worker worker, ZMsg msg) {
    if (msg.size() != 1) {
      malformedDropped++;
      sendError(worker.identity, ErrorCode.MALFORMED, "RESULT has one body frame");
      return;
    }
    Slice body = Slice.of(msg.pop().getData());
    try (MessageUnpacker in = Wire.unpacker(body)) {
      int count = in.unpackArrayHeader();
      for (int i = 0; i < count; i++) {
        if (in.unpackArrayHeader() != 3) {
          throw new IOException("a keyed result is [key, nanos, result]");
        }
        long key = in.unpackLong();
        long nanos = in.unpackLong();
        Slice resultFrame = Wire.readSlice(in, body);
        completed(worker, key, nanos, resultFrame);
      }
    } catch (IOException | RuntimeException e) {
      malformedDropped++;
      sendError(worker.identity, ErrorCode.MALFORMED, "malformed RESULT: " + e.getMessage());
    }
  }

  /**
   * Passes what a task printed on a remote worker to the client whose task it was, named by the
   * broker's own record of the worker's host and pid. The lines stay opaque here.
   */
  private void output(Worker worker, ZMsg msg) {
    long sessionId;
    try {
      if (msg.size() != 2) {
        throw new IOException("OUTPUT has a session frame and a lines frame");
      }
      try (MessageUnpacker in = Wire.unpacker(msg.pop().getData())) {
        sessionId = in.unpackLong();
      }
    } catch (IOException | RuntimeException e) {
      malformedDropped++;
      sendError(worker.identity, ErrorCode.MALFORMED, "malformed OUTPUT: " + e.getMessage());
      return;
    }
    byte[] lines = msg.pop().getData();
    for (Peer peer : peers.values()) {
      if (peer instanceof Session session && session.id == sessionId) {
        send(session.identity, MessageType.OUTPUT, Wire.pack(packer -> {
          packer.packArrayHeader(2);
          packer.packString(worker.host);
          packer.packLong(worker.pid);
        }), lines);
        return;
      }
    }
    // The client has gone: nobody is left to read what its task printed.
  }

  private void completed(Worker worker, long key, long nanos, Slice resultFrame) {
    QueuedTask task = inFlight.get(key);
    if (task == null || task.worker != worker) {
      return; // the task was given to another worker, or its client left
    }
    inFlight.remove(key);
    worker.release(key);
    worker.recordTaskTime(nanos);
    reschedule(worker);
    if (!task.session.closed) {
      task.session.outbox.add(resultFrame);
      markForFlush(task.session);
    }
    tasksCompleted++;
    callsCompleted += task.count;
    worker.callsDone += task.count;
  }

  private void handle(Command command) {
    if (command instanceof Stop) {
      running = false;
    } else if (command instanceof WorkerExited exited) {
      Worker worker = workersByPid.get(exited.pid());
      if (worker != null) {
        removeWorker(worker, exited.cause());
      }
    } else if (command instanceof StatsRequest request) {
      request.reply().complete(stats());
    }
  }

  private BrokerStats stats() {
    return new BrokerStats(
        workersByPid.size(), (int) peers.values().stream().filter(Session.class::isInstance)
            .count(),
        queuedTasks, inFlight.size(), tasksCompleted, tasksRequeued, workersLost,
        malformedDropped, oversizedDropped, unknownTypeDropped, authFailures,
        shared.queueCount());
  }

  /**
   * The payload of a {@code broker.status} reply: what {@code mp4j status} prints. The session
   * that asks is left out of the clients: it is the status command, not anyone's work.
   */
  private byte[] status(Peer asking, long now) {
    authFailures += connections.drain();
    List<Worker> workers = new ArrayList<>(workersByPid.values());
    List<Session> sessions = new ArrayList<>();
    for (Peer peer : peers.values()) {
      if (peer instanceof Session session && peer != asking) {
        sessions.add(session);
      }
    }
    return BrokerStatus.encode(stats(), workers, sessions, shared,
        callsCompleted, callRate.perSecond(now, callsCompleted),
        (now - startedNanos) / 1_000_000, config.authkey() != null, connections);
  }

  private void checkTimers(long now) {
    List<Peer> expired = new ArrayList<>();
    for (Peer peer : peers.values()) {
      long timeout = peer instanceof Worker ? config.workerTimeoutNanos()
          : config.clientTimeoutNanos();
      if (now - peer.lastReceived > timeout) {
        expired.add(peer);
      } else if (now - peer.lastSent >= config.heartbeatNanos()) {
        sendHeartbeat(peer);
      }
    }
    for (Peer peer : expired) {
      if (peer instanceof Worker worker) {
        removeWorker(worker, "no heartbeat for " + (now - worker.lastReceived) / 1_000_000 + " ms");
      } else {
        LOG.log(Level.DEBUG, "client " + peer.name + " timed out");
        removeSession((Session) peer);
      }
    }
  }

  private void sendHeartbeat(Peer peer) {
    if (peer instanceof Session session) {
      send(peer.identity, MessageType.HEARTBEAT,
          new Welcome(session.id, (int) (config.heartbeatNanos() / 1_000_000),
              config.maxMessageBytes(), workersByPid.size()).encode());
    } else {
      send(peer.identity, MessageType.HEARTBEAT);
    }
  }

  /**
   * Removes a worker from every index and gives back what it held.
   *
   * @param cause why it was lost, or null when it left on its own (its tasks do not count an
   *     attempt)
   */
  void removeWorker(Worker worker, String cause) {
    if (peers.get(key(worker.identity)) != worker) {
      return;
    }
    peers.remove(key(worker.identity));
    shared.peerGone(worker);
    workersByPid.remove(worker.pid, worker);
    workersChanged = true;
    unschedule(worker);
    endStealsFrom(worker); // what it held is queued again below
    if (cause != null) {
      workersLost++;
      LOG.log(Level.INFO, "lost worker " + worker.describe() + ": " + cause);
      config.onWorkerLost().accept(worker.pid);
    }
    List<QueuedTask> held = worker.releaseAll();
    for (int i = held.size() - 1; i >= 0; i--) {
      QueuedTask task = held.get(i);
      inFlight.remove(task.key);
      task.key = 0;
      task.worker = null;
      if (task.session.closed) {
        continue;
      }
      if (cause == null) {
        requeue(task);
      } else {
        retryOrFail(task, worker, cause);
      }
    }
  }

  private void retryOrFail(QueuedTask task, Worker worker, String cause) {
    int attempts = task.attempts + 1;
    if (attempts >= config.maxAttempts() || task.exclusive) {
      fail(task, worker, cause, attempts);
      return;
    }
    if (task.count > 1) {
      try {
        List<TaskFrame> parts = TaskFrame.decode(task.frame.toArray()).split();
        for (int i = parts.size() - 1; i >= 0; i--) {
          TaskFrame part = parts.get(i);
          requeue(new QueuedTask(task.session, Slice.of(part.encode()), part.taskId(),
              part.offset(), 1, attempts, false));
        }
        return;
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot split task " + task.taskId + ": " + e.getMessage());
      }
    }
    task.attempts = attempts;
    requeue(task);
  }

  private void fail(QueuedTask task, Worker worker, String cause, int attempts) {
    String message = "task was lost with " + attempts + " workers; last " + worker.describe()
        + ": " + cause;
    RemoteError error = RemoteError.plain("io.mp4j.WorkerLostException", message);
    task.session.outbox.add(Slice.of(ResultFrame.failed(task.taskId, task.offset, task.count,
        ErrorCode.WORKER_LOST, error).encode()));
    markForFlush(task.session);
  }

  private void requeue(QueuedTask task) {
    tasksRequeued++;
    queuedTasks++;
    task.session.pending.addFirst(task);
    schedule(task.session);
  }

  private void removeSession(Session session) {
    peers.remove(key(session.identity));
    shared.peerGone(session);
    session.closed = true;
    queuedTasks -= session.pending.size();
    session.pending.clear();
    sessionsWithTasks.remove(session);
    session.scheduled = false;
  }

  private void schedule(Session session) {
    if (!session.scheduled && !session.pending.isEmpty() && !session.closed) {
      session.scheduled = true;
      sessionsWithTasks.addLast(session);
    }
  }

  private void schedule(Worker worker) {
    if (!worker.scheduled && peers.get(key(worker.identity)) == worker
        && worker.spareCapacity(TARGET_BATCH_NANOS, config.maxPrefetch()) > 0) {
      worker.scheduled = true;
      (worker.inFlight.isEmpty() ? idleWorkers : workersWithCapacity).addLast(worker);
    }
  }

  /** Schedules a worker that gave tasks back; one left with none moves to the idle ones. */
  private void reschedule(Worker worker) {
    if (worker.inFlight.isEmpty() && worker.scheduled && workersWithCapacity.remove(worker)) {
      worker.scheduled = false;
    }
    schedule(worker);
  }

  private void unschedule(Worker worker) {
    if (worker.scheduled) {
      worker.scheduled = false;
      if (!idleWorkers.remove(worker)) {
        workersWithCapacity.remove(worker);
      }
    }
  }

  /**
   * Pairs queued tasks with workers that have room, one task at a time, round robin, idle
   * workers first. A task that needs a worker of its own (a Process) waits for an idle one; its
   * session waits with it, so that the session's tasks keep their order. Then an idle worker
   * left without work takes over tasks that another holds and has not started.
   */
  private void dispatch() {
    List<Session> waitingForIdle = null;
    while (!sessionsWithTasks.isEmpty()
        && !(idleWorkers.isEmpty() && workersWithCapacity.isEmpty())) {
      Session session = sessionsWithTasks.pollFirst();
      session.scheduled = false;
      QueuedTask head = session.pending.peekFirst();
      Worker worker = head.alone() || !idleWorkers.isEmpty() ? idleWorkers.pollFirst()
          : workersWithCapacity.pollFirst();
      if (worker == null) {
        if (waitingForIdle == null) {
          waitingForIdle = new ArrayList<>();
        }
        waitingForIdle.add(session);
        continue;
      }
      worker.scheduled = false;
      QueuedTask task = session.pending.pollFirst();
      queuedTasks--;
      assign(task, worker);
      schedule(session);
      schedule(worker);
    }
    if (waitingForIdle != null) {
      for (Session session : waitingForIdle) {
        schedule(session);
      }
    } else if (stealable && !idleWorkers.isEmpty() && sessionsWithTasks.isEmpty()) {
      steal();
    }
  }

  /**
   * Asks, for each idle worker not waiting for an answer already, the worker holding the most
   * tasks it has not started to give the later half back.
   */
  private void steal() {
    for (Worker thief : idleWorkers) {
      if (thief.stealingFrom != null) {
        continue;
      }
      Worker victim = null;
      List<Long> keys = List.of();
      for (Worker worker : workersByPid.values()) {
        if (worker.inFlight.size() > 1) {
          List<Long> candidates = worker.revocable();
          if (candidates.size() > keys.size()) {
            victim = worker;
            keys = candidates;
          }
        }
      }
      if (victim == null) {
        stealable = false;
        return;
      }
      for (long key : keys) {
        inFlight.get(key).revoking = true;
      }
      thief.stealingFrom = victim;
      send(victim.identity, MessageType.REVOKE, Wire.packLongs(keys));
    }
  }

  /** The idle workers that waited for this one's answer to REVOKE may ask again. */
  private void endStealsFrom(Worker victim) {
    for (Worker worker : workersByPid.values()) {
      if (worker.stealingFrom == victim) {
        worker.stealingFrom = null;
      }
    }
  }

  /**
   * A worker's answer to REVOKE: the tasks it gave up go back to the front of their queues, for
   * the idle worker that asked; those it did not give up it runs.
   */
  private void released(Worker worker, ZMsg msg) {
    List<QueuedTask> given = new ArrayList<>();
    try {
      if (msg.size() != 1) {
        throw new IOException("RELEASE has one body frame");
      }
      for (long key : Wire.unpackLongs(msg.pop().getData())) {
        QueuedTask task = inFlight.get(key);
        if (task != null && task.worker == worker && task.revoking) {
          given.add(task);
        }
      }
    } catch (IOException | RuntimeException e) {
      malformedDropped++;
      sendError(worker.identity, ErrorCode.MALFORMED, "malformed RELEASE: " + e.getMessage());
      return;
    }
    endStealsFrom(worker);
    for (int i = given.size() - 1; i >= 0; i--) {
      QueuedTask task = given.get(i);
      inFlight.remove(task.key);
      worker.release(task.key);
      worker.dispatched--; // it never ran there: a worker with a task limit may take another
      task.key = 0;
      task.worker = null;
      task.revoking = false;
      if (!task.session.closed) {
        queuedTasks++;
        task.session.pending.addFirst(task);
        schedule(task.session);
      }
    }
    reschedule(worker);
  }

  private void assign(QueuedTask task, Worker worker) {
    Session session = task.session;
    if (session.initializer != null && worker.initializedSessions.add(session.id)) {
      send(worker.identity, MessageType.SESSION,
          Wire.pack(packer -> packer.packLong(session.id)), session.initializer);
    }
    task.key = nextKey++;
    task.worker = worker;
    task.revoking = false;
    inFlight.put(task.key, task);
    worker.hold(task);
    stealable |= worker.inFlight.size() > 1;
    worker.dispatched++;
    worker.outbox.add(task);
    if (worker.outbox.size() == 1) {
      workersToFlush.add(worker);
    }
  }

  private void markForFlush(Session session) {
    if (session.outbox.size() == 1) {
      sessionsToFlush.add(session);
    }
  }

  private void flush() {
    for (Peer peer : peersToReply) {
      if (!peer.replies.isEmpty() && peers.get(key(peer.identity)) == peer) {
        send(peer.identity, MessageType.REPLY, peer.replies.toArray(new byte[0][]));
      }
      peer.replies.clear();
    }
    peersToReply.clear();
    for (Worker worker : workersToFlush) {
      sendTasks(worker);
    }
    workersToFlush.clear();
    for (Session session : sessionsToFlush) {
      if (!session.closed) {
        sendResults(session);
      }
      session.outbox.clear();
    }
    sessionsToFlush.clear();
  }

  /** Sends a session the results of this turn, in messages of about {@link Wire#BATCH_BYTES}. */
  private void sendResults(Session session) {
    List<Slice> results = session.outbox;
    int from = 0;
    int bytes = 0;
    for (int i = 0; i < results.size(); i++) {
      int length = results.get(i).length();
      if (bytes + length > Wire.BATCH_BYTES && i > from) {
        send(session.identity, MessageType.RESULT, Wire.packSlices(results.subList(from, i)));
        from = i;
        bytes = 0;
      }
      bytes += length;
    }
    if (from < results.size()) {
      send(session.identity, MessageType.RESULT,
          Wire.packSlices(results.subList(from, results.size())));
    }
  }

  /** Sends a worker the tasks assigned to it this turn, as one TASK message. */
  private void sendTasks(Worker worker) {
    List<QueuedTask> tasks = worker.outbox;
    if (tasks.isEmpty()) {
      return;
    }
    int size = Wire.arrayHeaderSize(tasks.size());
    for (QueuedTask task : tasks) {
      size += 1 + Wire.integerSize(task.key) + Wire.integerSize(task.session.id)
          + Wire.binarySize(task.frame.length());
    }
    byte[] body = Wire.packExact(size, packer -> {
      packer.packArrayHeader(tasks.size());
      for (QueuedTask task : tasks) {
        packer.packArrayHeader(3);
        packer.packLong(task.key);
        packer.packLong(task.session.id);
        packer.packBinaryHeader(task.frame.length());
        packer.writePayload(task.frame.array(), task.frame.offset(), task.frame.length());
      }
    });
    tasks.clear();
    send(worker.identity, MessageType.TASK, body);
  }

  private void send(byte[] identity, MessageType type, byte[]... body) {
    router.send(identity, ZMQ.SNDMORE);
    router.send(new byte[] {type.code()}, body.length == 0 ? 0 : ZMQ.SNDMORE);
    for (int i = 0; i < body.length; i++) {
      router.send(body[i], i == body.length - 1 ? 0 : ZMQ.SNDMORE);
    }
    Peer peer = peers.get(key(identity));
    if (peer != null) {
      peer.lastSent = config.nanoClock().getAsLong();
    }
  }

  private void sendError(byte[] identity, ErrorCode code, String message) {
    send(identity, MessageType.ERROR, new ErrorReply(code, message).encode());
  }

  private static String key(byte[] identity) {
    return new String(identity, StandardCharsets.ISO_8859_1);
  }
}
