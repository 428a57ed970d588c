package io.mp4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A loop's batch of requests: full before a message grows past 1 MiB, frames of 256 KiB. */
class RequestBatchTest {
  @Test
  void aStreamOfPuts_fillsTheBatchAtAboutOneMebibyte_andSplitsIntoFramesInOrder()
      throws Exception {
    RequestBatch batch = new RequestBatch();
    List<Request> sent = new ArrayList<>();
    boolean full = false;
    while (!full) {
      Request put = new Request(sent.size(), "queue.put", "q", new byte[1000], true);
      sent.add(put);
      full = batch.add(put);
    }
    assertTrue(sent.size() > 1000 && sent.size() < 1100, sent.size() + " puts of 1 KB");
    byte[][] frames = batch.drain();
    assertEquals(5, frames.length);
    List<Request> received = new ArrayList<>();
    for (byte[] frame : frames) {
      assertTrue(frame.length <= 256 << 10, frame.length + " bytes");
      received.addAll(Request.decodeAll(frame));
    }
    assertEquals(sent.size(), received.size());
    for (int i = 0; i < sent.size(); i++) {
      assertEquals(i, received.get(i).requestId());
      assertTrue(received.get(i).quiet());
    }
    assertTrue(batch.isEmpty());
    assertFalse(batch.add(new Request(0, "queue.size", "q", new byte[] {(byte) 0x90})));
  }
}
