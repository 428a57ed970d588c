package io.mp4j.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The requests an event loop gathers for one REQUEST message: joined into body frames of up to
 * 256 KiB (a ZeroMQ frame costs more than the bytes it carries), and full at 1 MiB, so that a
 * producer that streams puts never builds a message over the broker's size limit. Not for users.
 */
public final class RequestBatch {
  private static final int FRAME_BYTES = 256 << 10;
  private static final int MESSAGE_BYTES = 1 << 20;
  private final List<byte[]> encoded = new ArrayList<>();
  private int bytes;

  /** Adds a request; returns true when the batch is full and should be sent now. */
  public boolean add(Request request) {
    byte[] one = request.encode();
    encoded.add(one);
    bytes += one.length;
    return bytes >= MESSAGE_BYTES;
  }

  public boolean isEmpty() {
    return encoded.isEmpty();
  }

  /** The body frames of the requests gathered, in order; the batch is empty after. */
  public byte[][] drain() {
    List<byte[]> frames = new ArrayList<>();
    int from = 0;
    while (from < encoded.size()) {
      int to = from;
      int size = 0;
      while (to < encoded.size()
          && (to == from || size + encoded.get(to).length <= FRAME_BYTES)) {
        size += encoded.get(to).length;
        to++;
      }
      if (to - from == 1) {
        frames.add(encoded.get(from));
      } else {
        byte[] frame = new byte[size];
        int at = 0;
        for (int i = from; i < to; i++) {
          byte[] one = encoded.get(i);
          System.arraycopy(one, 0, frame, at, one.length);
          at += one.length;
        }
        frames.add(frame);
      }
      from = to;
    }
    encoded.clear();
    bytes = 0;
    return frames.toArray(new byte[0][]);
  }
}
