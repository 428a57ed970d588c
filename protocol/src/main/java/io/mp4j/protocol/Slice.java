package io.mp4j.protocol;

import java.util.Arrays;

/**
 * A run of bytes inside a larger array: a frame read out of a message without copying it. The
 * broker forwards a map's chunks and results as slices of the messages they came in, and a
 * client decodes results where they lie; each copy of a large frame was fresh memory, which on a
 * machine where first-touched memory is dear cost more than the decoding. Not for users.
 *
 * @param array the bytes the slice lies in; never changed while the slice is used
 * @param offset where the slice starts in {@code array}
 * @param length how many bytes it has
 */
public record Slice(byte[] array, int offset, int length) {

  public Slice {
    if (offset < 0 || length < 0 || length > array.length - offset) {
      throw new IndexOutOfBoundsException("slice [" + offset + ", +" + length + ") of "
          + array.length + " bytes");
    }
  }

  /** The whole of an array. */
  public static Slice of(byte[] bytes) {
    return new Slice(bytes, 0, bytes.length);
  }

  /** The bytes as an array of their own: {@link #array()} itself when the slice is all of it. */
  public byte[] toArray() {
    return offset == 0 && length == array.length ? array
        : Arrays.copyOfRange(array, offset, offset + length);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Slice slice && Arrays.equals(array, offset, offset + length,
        slice.array, slice.offset, slice.offset + slice.length);
  }

  @Override
  public int hashCode() {
    int hash = 1;
    for (int i = offset; i < offset + length; i++) {
      hash = 31 * hash + array[i];
    }
    return hash;
  }

  @Override
  public String toString() {
    return "Slice[" + length + " bytes]";
  }
}
