package io.mp4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;

/**
 * A limit below any message library: one thread in a JVM of its own echoes length-prefixed
 * messages over plain TCP on loopback ({@code java.nio}, one selector), and callers make blocking
 * round trips of 8-byte messages to it. This is the least a single-threaded server on this
 * machine spends on a round trip, with nothing of ZeroMQ's own threads between the two ends.
 *
 * <p>The echo runs as {@code java io.mp4j.bench.PlainEcho PORT}.
 */
public final class PlainEcho implements AutoCloseable {
  private static final String READY = "plain-echo ready";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final int MESSAGE_BYTES = Integer.BYTES + Long.BYTES;

  private final ChildProcess echo;
  private final int port;

  private PlainEcho(ChildProcess echo, int port) {
    this.echo = echo;
    this.port = port;
  }

  /** Spawns the echo JVM. */
  static PlainEcho start() {
    int port = RawZmq.freePort();
    return new PlainEcho(ChildProcess.startJava("plain-echo", READY, START_TIMEOUT,
        PlainEcho.class.getName(), Integer.toString(port)), port);
  }

  /** The port callers connect to. */
  int port() {
    return port;
  }

  /**
   * Connects to the echo on {@code port} and makes {@code calls} sequential round trips after a
   * fifth as many untimed: a caller, for a task in another process.
   *
   * @return the timed round trips' start and end by {@link System#nanoTime}, one clock for every
   *     process on Linux
   */
  static long[] callerRoundTrips(int port, int calls) {
    try (SocketChannel channel = SocketChannel.open(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE_BYTES);
      ByteBuffer reply = ByteBuffer.allocateDirect(MESSAGE_BYTES);
      roundTrips(channel, request, reply, calls / 5);
      long start = System.nanoTime();
      roundTrips(channel, request, reply, calls);
      return new long[] {start, System.nanoTime()};
    } catch (IOException e) {
      throw new UncheckedIOException("plain echo caller", e);
    }
  }

  private static void roundTrips(SocketChannel channel, ByteBuffer request, ByteBuffer reply,
      int calls) throws IOException {
    for (long sequence = 0; sequence < calls; sequence++) {
      request.clear().putInt(Long.BYTES).putLong(sequence).flip();
      while (request.hasRemaining()) {
        channel.write(request);
      }
      reply.clear();
      while (reply.hasRemaining()) {
        if (channel.read(reply) < 0) {
          throw new IllegalStateException("the plain echo closed the connection");
        }
      }
      if (reply.getLong(Integer.BYTES) != sequence) {
        throw new IllegalStateException("the plain echo answered out of turn");
      }
    }
  }

  /** Stops the echo JVM. */
  @Override
  public void close() {
    echo.close();
  }

  /**
   * Runs the echo until this JVM's parent ends.
   *
   * @param args {@code PORT}
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: PlainEcho PORT");
    }
    RawZmq.exitWithParent();
    try (Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(),
          Integer.parseInt(args[0])));
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      System.out.println(READY);
      System.out.flush();
      while (true) {
        selector.select();
        for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext();) {
          SelectionKey key = keys.next();
          keys.remove();
          if (key.isAcceptable()) {
            SocketChannel channel = server.accept();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocateDirect(1 << 16));
          } else {
            echo(key);
          }
        }
      }
    }
  }

  /**
   * Sends back every whole message read so far and keeps a partial one for the next read; closes
   * a connection whose message could never fit.
   */
  private static void echo(SelectionKey key) throws IOException {
    SocketChannel channel = (SocketChannel) key.channel();
    ByteBuffer buffer = (ByteBuffer) key.attachment();
    if (channel.read(buffer) < 0) {
      key.cancel();
      channel.close();
      return;
    }
    buffer.flip();
    int end = 0;
    while (buffer.limit() - end >= Integer.BYTES) {
      int length = buffer.getInt(end);
      if (length < 0 || length > buffer.capacity() - Integer.BYTES) {
        // Not a caller of this benchmark: a message that could never fit the buffer.
        key.cancel();
        channel.close();
        return;
      }
      if (buffer.limit() - end - Integer.BYTES < length) {
        break;
      }
      end += Integer.BYTES + length;
    }
    ByteBuffer whole = buffer.duplicate().limit(end);
    // The callers wait for each answer, so a socket's send buffer always has room.
    while (whole.hasRemaining()) {
      channel.write(whole);
    }
    buffer.position(end).compact();
  }
}
