package io.mp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A map's results list: filled out of order in runs that cross its arrays' edges. */
class MapResultsTest {
  @Test
  void runsInAnyOrder_acrossArrayEdges_makeTheListInInputOrder() {
    int size = 100_000; // four arrays of 32,768, the last one short
    MapResults<Integer> results = new MapResults<>(size);
    List<int[]> runs = new ArrayList<>();
    for (int at = 0; at < size; at += 7_001) {
      runs.add(new int[] {at, Math.min(size, at + 7_001)});
    }
    for (int i = runs.size() - 1; i >= 0; i--) {
      int[] run = runs.get(i);
      results.fill(run[0], IntStream.range(run[0], run[1]).boxed().toArray());
    }
    assertEquals(IntStream.range(0, size).boxed().toList(), results);
    assertEquals(size, results.size());
    assertEquals(99_999, results.get(99_999));
  }

  @Test
  void isFixedSize_likeArraysAsList() {
    MapResults<String> results = new MapResults<>(3);
    results.fill(0, new Object[] {"a", "b", "c"});
    assertEquals("b", results.set(1, "x"));
    assertEquals(List.of("a", "x", "c"), results);
    assertThrows(IndexOutOfBoundsException.class, () -> results.get(3));
    assertThrows(UnsupportedOperationException.class, () -> results.add("d"));
  }

  @Test
  void sortsInPlace() {
    MapResults<Integer> results = new MapResults<>(40_000);
    results.fill(0, IntStream.range(0, 40_000).map(i -> 39_999 - i).boxed().toArray());
    results.sort(null);
    assertEquals(IntStream.range(0, 40_000).boxed().toList(), results);
  }
}
