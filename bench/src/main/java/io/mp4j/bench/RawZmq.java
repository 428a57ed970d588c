package io.mp4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The limit for mp4j's round trips: bare JeroMQ through a one-hop broker, the zguide's
 * request-reply broker, as three JVMs. The client (this harness's JVM) has a DEALER socket; the
 * broker JVM proxies between a ROUTER facing clients and a DEALER facing workers; the echo JVM
 * has a DEALER socket that sends every message back as it came. Messages carry an 8-byte
 * sequence number and nothing else, so whatever mp4j costs on top is its own work: framing,
 * msgpack, scheduling, dispatch.
 *
 * <p>The broker and echo roles run as {@code java io.mp4j.bench.RawZmq broker FRONT_PORT
 * BACK_PORT} and {@code java io.mp4j.bench.RawZmq echo BACK_PORT}; {@link #start()} spawns both.
 */
public final class RawZmq implements AutoCloseable {
  private static final String READY = "raw-zmq ready";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final ChildProcess broker;
  private final ChildProcess echo;
  private final int frontPort;
  private final ZContext context = new ZContext(1);
  private final ZMQ.Socket client;

  private RawZmq(ChildProcess broker, ChildProcess echo, int frontPort) {
    this.broker = broker;
    this.echo = echo;
    this.frontPort = frontPort;
    this.client = context.createSocket(SocketType.DEALER);
    unlimitedQueues(client);
    client.connect(endpoint(frontPort));
  }

  /** The port clients connect to: the broker's front, or the echo's for {@link #startDirect}. */
  int port() {
    return frontPort;
  }

  /**
   * Connects a DEALER of its own to the setup's {@code port} and makes {@code calls} sequential
   * round trips after a fifth as many untimed: a bare caller, for a task in another process.
   *
   * @return the timed round trips' start and end by {@link System#nanoTime}, one clock for every
   *     process on Linux
   */
  static long[] callerRoundTrips(int port, int calls) {
    try (ZContext own = new ZContext(1)) {
      ZMQ.Socket socket = own.createSocket(SocketType.DEALER);
      unlimitedQueues(socket);
      socket.connect(endpoint(port));
      roundTrips(socket, calls / 5);
      long start = System.nanoTime();
      roundTrips(socket, calls);
      return new long[] {start, System.nanoTime()};
    }
  }

  /**
   * Spawns the broker and echo JVMs and connects this JVM's client to the broker.
   *
   * @return the running setup; close it to stop both JVMs
   */
  static RawZmq start() {
    int front = freePort();
    int back = freePort();
    ChildProcess broker = ChildProcess.startJava("raw-broker", READY, START_TIMEOUT,
        RawZmq.class.getName(), "broker", Integer.toString(front), Integer.toString(back));
    ChildProcess echo = null;
    try {
      echo = ChildProcess.startJava("raw-echo", READY, START_TIMEOUT,
          RawZmq.class.getName(), "echo", Integer.toString(back));
      return new RawZmq(broker, echo, front);
    } catch (RuntimeException e) {
      if (echo != null) {
        echo.close();
      }
      broker.close();
      throw e;
    }
  }

  /**
   * Spawns one JVM whose ROUTER socket echoes every message, and connects this JVM's client to
   * it: the bare round trip between two JVMs, as a Manager's caller has with its broker.
   *
   * @return the running setup; close it to stop the JVM
   */
  static RawZmq startDirect() {
    int port = freePort();
    ChildProcess echo = ChildProcess.startJava("raw-router-echo", READY, START_TIMEOUT,
        RawZmq.class.getName(), "router-echo", Integer.toString(port));
    return new RawZmq(null, echo, port);
  }

  /**
   * Sends {@code total} requests keeping {@code inFlight} of them outstanding: a new one leaves
   * as each reply arrives.
   *
   * @return the nanoseconds from the first send to the last reply
   */
  long pipelined(int total, int inFlight) {
    long start = System.nanoTime();
    int sent = 0;
    int window = Math.min(total, inFlight);
    while (sent < window) {
      send(client, sent++);
    }
    for (int received = 0; received < total; received++) {
      receive(client);
      if (sent < total) {
        send(client, sent++);
      }
    }
    return System.nanoTime() - start;
  }

  /**
   * Sends {@code calls} requests one at a time, each after the previous reply.
   *
   * @return each round trip in nanoseconds
   */
  long[] roundTrips(int calls) {
    return roundTrips(client, calls);
  }

  private static long[] roundTrips(ZMQ.Socket socket, int calls) {
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      send(socket, i);
      receive(socket);
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  private static void send(ZMQ.Socket socket, long sequence) {
    // A fresh array each time: JeroMQ may queue the array itself rather than a copy.
    socket.send(ByteBuffer.allocate(Long.BYTES).putLong(sequence).array(), 0);
  }

  private static void receive(ZMQ.Socket socket) {
    if (socket.recv(0) == null) {
      throw new IllegalStateException("the raw JeroMQ client stopped receiving: "
          + socket.errno());
    }
  }

  /** Closes the client and stops the broker and echo JVMs. */
  @Override
  public void close() {
    try {
      context.close();
    } finally {
      try {
        echo.close();
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  /**
   * Runs one role of the raw setup.
   *
   * @param args {@code broker FRONT_PORT BACK_PORT} or {@code echo BACK_PORT}
   */
  public static void main(String[] args) {
    exitWithParent();
    try (ZContext context = new ZContext(1)) {
      switch (args.length > 0 ? args[0] : "") {
        case "broker" -> runBroker(context, Integer.parseInt(args[1]),
            Integer.parseInt(args[2]));
        case "echo" -> runEcho(context, Integer.parseInt(args[1]));
        case "router-echo" -> runRouterEcho(context, Integer.parseInt(args[1]));
        default -> throw new IllegalArgumentException(
            "usage: RawZmq broker FRONT_PORT BACK_PORT | RawZmq echo BACK_PORT"
                + " | RawZmq router-echo PORT");
      }
    }
  }

  private static void runBroker(ZContext context, int frontPort, int backPort) {
    ZMQ.Socket frontend = context.createSocket(SocketType.ROUTER);
    ZMQ.Socket backend = context.createSocket(SocketType.DEALER);
    unlimitedQueues(frontend);
    unlimitedQueues(backend);
    frontend.bind(endpoint(frontPort));
    backend.bind(endpoint(backPort));
    System.out.println(READY);
    System.out.flush();
    ZMQ.proxy(frontend, backend, null);
  }

  private static void runEcho(ZContext context, int backPort) {
    ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
    unlimitedQueues(socket);
    socket.connect(endpoint(backPort));
    System.out.println(READY);
    System.out.flush();
    while (!Thread.currentThread().isInterrupted()) {
      ZMsg message = ZMsg.recvMsg(socket);
      if (message == null) {
        return;
      }
      message.send(socket);
    }
  }

  private static void runRouterEcho(ZContext context, int port) {
    ZMQ.Socket socket = context.createSocket(SocketType.ROUTER);
    unlimitedQueues(socket);
    socket.bind(endpoint(port));
    System.out.println(READY);
    System.out.flush();
    while (!Thread.currentThread().isInterrupted()) {
      ZMsg message = ZMsg.recvMsg(socket);
      if (message == null) {
        return;
      }
      message.send(socket);
    }
  }

  /**
   * A ROUTER drops what it cannot queue, and the default high-water mark is exactly the 1,000
   * requests in flight; no limit keeps every request.
   */
  private static void unlimitedQueues(ZMQ.Socket socket) {
    socket.setSndHWM(0);
    socket.setRcvHWM(0);
    socket.setLinger(0);
  }

  private static String endpoint(int port) {
    return "tcp://127.0.0.1:" + port;
  }

  /** A port free on loopback now; another process could take it first, which fails loudly. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    }
  }

  /** The harness keeps this process's standard input open; end-of-file means it died. */
  static void exitWithParent() {
    Thread watcher = new Thread(() -> {
      InputStream in = System.in;
      try {
        while (in.read() >= 0) {
          // Nothing is ever written; keep reading until the pipe closes.
        }
      } catch (IOException e) {
        // A broken pipe means the same as end-of-file.
      }
      Runtime.getRuntime().halt(0);
    }, "raw-zmq-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
