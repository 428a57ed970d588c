package io.mp4j.worker;

import io.mp4j.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies what a task prints into lines for its client, on a worker of a remote daemon: the client
 * is on another host and would not see it otherwise. Everything still goes to this process's own
 * standard output and error too.
 *
 * <p>Output is the task's while the task runs, whichever thread prints it. Memory is bounded: a
 * line longer than {@link #MAX_LINE_BYTES} is cut, and while more than {@link #MAX_PENDING_BYTES}
 * wait for the I/O thread, further lines are dropped and counted, and the client is told how many.
 */
final class OutputForwarder {
  static final int MAX_LINE_BYTES = 8 * 1024;
  static final int MAX_PENDING_BYTES = 1 << 20;
  /** The stream numbers on the wire. */
  static final int OUT = 1;
  static final int ERR = 2;

  private record Line(int stream, String text) {}

  /**
   * A session of one connection: a broker that restarted numbers its sessions afresh, so what a
   * task of the old one printed must not reach a session of the new one.
   */
  private record Source(int epoch, long session) {}

  private final LineStream out;
  private final LineStream err;
  /** The session whose task runs now, or 0 between tasks; guarded by this. */
  private long session;
  private int epoch;
  /** Lines waiting for the I/O thread, by source, in order; guarded by this. */
  private final Map<Source, List<Line>> pending = new LinkedHashMap<>();
  private int pendingBytes;
  private long dropped;
  private Source droppedSource;

  private OutputForwarder(PrintStream originalOut, PrintStream originalErr) {
    this.out = new LineStream(OUT, originalOut);
    this.err = new LineStream(ERR, originalErr);
  }

  /** Puts a forwarder between this process's standard streams and what prints to them. */
  static OutputForwarder install() {
    OutputForwarder forwarder = new OutputForwarder(System.out, System.err);
    System.setOut(new PrintStream(forwarder.out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(forwarder.err, true, StandardCharsets.UTF_8));
    return forwarder;
  }

  /** A task of this session starts: what is printed from now on is its output. */
  synchronized void begin(long sessionId, int connection) {
    session = sessionId;
    epoch = connection;
  }

  /** The task ended: a line it left unfinished is sent as it is. */
  void end() {
    System.out.flush();
    System.err.flush();
    synchronized (this) {
      out.endLine();
      err.endLine();
      session = 0;
    }
  }

  /**
   * Takes the lines waiting, as OUTPUT bodies by session: each an array of {@code [stream, text]}.
   * Lines of tasks from another connection than the current one are dropped. Called by the I/O
   * thread; empty when nothing waits.
   */
  synchronized Map<Long, byte[]> take(int connection) {
    if (dropped > 0) {
      pending.computeIfAbsent(droppedSource, k -> new ArrayList<>()).add(new Line(ERR,
          "[mp4j: " + dropped + " lines of output dropped: the task printed faster than they"
              + " could be sent]"));
      dropped = 0;
    }
    if (pending.isEmpty()) {
      return Map.of();
    }
    Map<Long, byte[]> bodies = new LinkedHashMap<>();
    for (Map.Entry<Source, List<Line>> entry : pending.entrySet()) {
      if (entry.getKey().epoch() != connection) {
        continue;
      }
      List<Line> lines = entry.getValue();
      bodies.put(entry.getKey().session(), Wire.pack(64 + pendingBytes, packer -> {
        packer.packArrayHeader(lines.size());
        for (Line line : lines) {
          packer.packArrayHeader(2);
          packer.packInt(line.stream());
          packer.packString(line.text());
        }
      }));
    }
    pending.clear();
    pendingBytes = 0;
    return bodies;
  }

  /** Called with this held. */
  private void emit(int stream, byte[] bytes, int length, boolean cut) {
    if (session == 0) {
      return;
    }
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    if (pendingBytes + length > MAX_PENDING_BYTES) {
      dropped++;
      droppedSource = new Source(epoch, session);
      return;
    }
    String text = new String(bytes, 0, length, StandardCharsets.UTF_8)
        + (cut ? " [mp4j: line cut at " + MAX_LINE_BYTES + " bytes]" : "");
    pending.computeIfAbsent(new Source(epoch, session), k -> new ArrayList<>())
        .add(new Line(stream, text));
    pendingBytes += length + 8;
  }

  /** One standard stream: passes every byte on, and cuts the task's bytes into lines. */
  private final class LineStream extends OutputStream {
    private final int stream;
    private final PrintStream original;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    LineStream(int stream, PrintStream original) {
      this.stream = stream;
      this.original = original;
    }

    @Override
    public void write(int b) {
      original.write(b);
      synchronized (OutputForwarder.this) {
        if (session != 0) {
          take((byte) b);
        }
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      original.write(bytes, offset, length);
      synchronized (OutputForwarder.this) {
        if (session != 0) {
          for (int i = offset; i < offset + length; i++) {
            take(bytes[i]);
          }
        }
      }
    }

    @Override
    public void flush() {
      original.flush();
    }

    private void take(byte b) {
      if (b == '\n') {
        emit(stream, line.toByteArray(), line.size(), cut);
        line.reset();
        cut = false;
      } else if (line.size() < MAX_LINE_BYTES) {
        line.write(b);
      } else {
        cut = true;
      }
    }

    /** Called with the forwarder held. */
    void endLine() {
      if (line.size() > 0 || cut) {
        emit(stream, line.toByteArray(), line.size(), cut);
      }
      line.reset();
      cut = false;
    }
  }
}
