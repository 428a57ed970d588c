package io.mp4j.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact-size frames: the sizes counted in advance are the sizes msgpack writes. */
class WireTest {
  private static final long[] INTEGERS = {0, 1, 127, 128, 255, 256, 65535, 65536,
      (1L << 32) - 1, 1L << 32, Long.MAX_VALUE, -1, -32, -33, -128, -129, -32768, -32769,
      Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, Long.MIN_VALUE};
  private static final int[] LENGTHS = {0, 1, 15, 16, 255, 256, 65535, 65536, 100_000};

  @Test
  void msgpackUsesUniversalBuffers_fromTheJdkThatWarnsAboutUnsafe_unlessTheJvmChose() {
    assertEquals(false, Wire.universalBuffersWanted(17, null));
    assertEquals(false, Wire.universalBuffersWanted(23, null));
    assertEquals(true, Wire.universalBuffersWanted(24, null));
    assertEquals(true, Wire.universalBuffersWanted(25, null));
    assertEquals(false, Wire.universalBuffersWanted(25, "false"));
    assertEquals(false, Wire.universalBuffersWanted(25, "true"));
  }

  @Test
  void countedSizes_matchWhatThePackerWrites() {
    for (long value : INTEGERS) {
      assertEquals(Wire.pack(packer -> packer.packLong(value)).length, Wire.integerSize(value),
          "integer " + value);
    }
    for (int length : LENGTHS) {
      byte[] payload = new byte[length];
      assertEquals(Wire.pack(length + 8, packer -> {
        packer.packBinaryHeader(length);
        packer.writePayload(payload);
      }).length, Wire.binarySize(length), "binary of " + length);
      assertEquals(Wire.pack(packer -> packer.packArrayHeader(length)).length,
          Wire.arrayHeaderSize(length), "array of " + length);
    }
  }

  @Test
  void exactFrames_equalTheGrowingBuffersFrames() throws Exception {
    List<byte[]> frames = List.of(new byte[0], new byte[300], new byte[70_000], "x".getBytes());
    byte[] packed = Wire.packBinaries(frames);
    assertEquals(frames.size(), Wire.unpackBinaries(packed).size());
    assertArrayEquals(frames.get(2), Wire.unpackBinaries(packed).get(2));
    TaskFrame task = new TaskFrame(1L << 40, 70_000, 3, new byte[20], new byte[9_000], true);
    assertEquals(task.args().length, TaskFrame.decode(task.encode()).args().length);
    assertEquals(task.taskId(), TaskFrame.decode(task.encode()).taskId());
  }

  @Test
  void slices_readFramesInPlace_andForwardThemUnchanged() throws Exception {
    byte[] big = new byte[70_000];
    big[69_999] = 42;
    List<byte[]> frames = List.of("first".getBytes(), new byte[0], big);
    byte[] packed = Wire.packBinaries(frames);
    List<Slice> slices = Wire.unpackSlices(packed);
    assertEquals(3, slices.size());
    for (int i = 0; i < frames.size(); i++) {
      assertSame(packed, slices.get(i).array(), "slice " + i + " copied");
      assertArrayEquals(frames.get(i), slices.get(i).toArray());
    }
    // A broker forwards some of a message's frames: the bytes are those of packBinaries.
    assertArrayEquals(Wire.packBinaries(List.of(big, "first".getBytes())),
        Wire.packSlices(List.of(slices.get(2), slices.get(0))));

    ResultFrame result = new ResultFrame(9, 4, 1, Slice.of(new byte[] {(byte) 0x91, 7}),
        List.of());
    Slice inMessage = Wire.unpackSlices(Wire.packBinaries(List.of(big, result.encode()))).get(1);
    ResultFrame decoded = ResultFrame.decode(inMessage);
    assertEquals(9, decoded.taskId());
    assertEquals(result.values(), decoded.values());
    assertSame(inMessage.array(), decoded.values().array());

    byte[] truncated = java.util.Arrays.copyOf(packed, packed.length - 1);
    assertThrows(java.io.IOException.class, () -> Wire.unpackSlices(truncated));
    assertThrows(IndexOutOfBoundsException.class,
        () -> new Slice(packed, 100, Integer.MAX_VALUE));
  }

  @Test
  void requestsAndReplies_ofEveryShape_packToTheirCountedSize() throws Exception {
    String longName = "q".repeat(70_000);
    for (String name : List.of("", "jobs", "é€😀", "lone \ud800 surrogate", "x".repeat(31),
        "x".repeat(32), "x".repeat(600), longName)) {
      // What Java's UTF-8 encoder makes of the name: a lone surrogate becomes '?'.
      String expected = new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      Request request = new Request(7, "queue.put", name, new byte[300], true);
      assertEquals(expected, Request.decode(request.encode()).name());
      assertEquals(expected,
          Reply.decode(Reply.failed(-3, ErrorCode.FULL, name).encode()).message());
    }
    assertEquals(null, Reply.decode(Reply.ok(1).encode()).payload());
  }

  @Test
  void aReplyWrittenStraightIntoItsFrame_isTheReplyOfThatPayload() throws Exception {
    for (int bytes : List.of(0, 1, 255, 256, 70_000)) {
      byte[] payload = new byte[bytes];
      Arrays.fill(payload, (byte) 7);
      List<Slice> items = List.of(Slice.of(payload), new Slice(payload, 0, bytes / 2));
      for (long requestId : List.of(0L, 300L, Long.MAX_VALUE)) {
        byte[] written = Reply.encodeOk(requestId, Wire.slicesSize(items),
            packer -> Wire.writeSlices(packer, items));
        assertArrayEquals(Reply.ok(requestId, Wire.packSlices(items)).encode(), written);
        Reply decoded = Reply.decode(written);
        assertEquals(requestId, decoded.requestId());
        assertEquals(items, Wire.unpackSlices(decoded.payload()));
      }
    }
  }

  @Test
  void aMiscountedFrame_isRefused() {
    assertThrows(IllegalStateException.class, () -> Wire.packExact(3, packer -> packer.packInt(1)));
  }
}
