package io.mp4j;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A map's results as they arrive, then the list the map returns. They live in arrays of 32,768
 * each, made as the first result of each arrives, not in one array: under G1 an array of a
 * million references is allocated outside the young generation, and every young result stored
 * into it was a reference the collector had to track. For a map of x * x over a million ints on 2
 * cores the client spent more on that than on the map (101 to 107 ms a map with one array, 81 to
 * 86 ms with these); arrays all made up front were faster still there (65 to 68 ms) but made the
 * seed demo's map a tenth slower. Fixed-size, like {@code Arrays.asList}: {@code set} works,
 * adding and removing do not.
 */
final class MapResults<R> extends AbstractList<R> implements RandomAccess {
  private static final int SHIFT = 15;
  private static final int SEGMENT = 1 << SHIFT;
  private static final int MASK = SEGMENT - 1;

  private final Object[][] segments;
  private final int size;

  MapResults(int size) {
    this.size = size;
    segments = new Object[(size + SEGMENT - 1) >>> SHIFT][];
  }

  /** Stores {@code values} from index {@code at} on; calls for distinct ranges may overlap. */
  void fill(int at, Object[] values) {
    int from = 0;
    while (from < values.length) {
      int index = at + from;
      Object[] segment = segment(index >>> SHIFT);
      int offset = index & MASK;
      int count = Math.min(values.length - from, segment.length - offset);
      System.arraycopy(values, from, segment, offset, count);
      from += count;
    }
  }

  private synchronized Object[] segment(int number) {
    if (segments[number] == null) {
      segments[number] = new Object[Math.min(SEGMENT, size - (number << SHIFT))];
    }
    return segments[number];
  }

  @Override
  @SuppressWarnings("unchecked")
  public R get(int index) {
    Objects.checkIndex(index, size);
    return (R) segments[index >>> SHIFT][index & MASK];
  }

  @Override
  public R set(int index, R value) {
    R old = get(index);
    segments[index >>> SHIFT][index & MASK] = value;
    return old;
  }

  @Override
  public int size() {
    return size;
  }
}
