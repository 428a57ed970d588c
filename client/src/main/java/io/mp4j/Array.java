package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.ValueReader;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed-length array served by the broker and shared by every process that has it: Python's
 * {@code Array}. Each get or set of an element, and {@link #toList()}, is atomic, and, as in
 * Python, on an array made with a lock it waits while another thread holds that lock; a
 * read-modify-write takes the array's lock ({@link #getLock()}), as in Python.
 *
 * @param <E> the element type
 */
public final class Array<E> extends SynchronizedObject {
  static final String KIND = "array";

  private final Type type;
  private final ValueReader reader;
  private final int length;

  Array(BrokerChannel channel, String name, Type type, byte[] info, boolean withLock) {
    super(channel, name, KIND, info, withLock);
    this.type = type;
    this.reader = Codec.reader(type);
    this.length = integer(info);
  }

  /**
   * The number of elements, fixed when the array was made: Python's {@code len(a)}.
   *
   * @return the length
   */
  public int length() {
    return length;
  }

  /**
   * An element: Python's {@code a[i]}.
   *
   * @param index its index
   * @return the element
   * @throws IndexOutOfBoundsException when the index is outside the array
   */
  public E get(int index) {
    @SuppressWarnings("unchecked")
    E element = (E) decode(access("get", index, null).payload(), reader, type);
    return element;
  }

  /**
   * Sets an element: Python's {@code a[i] = x}.
   *
   * @param index its index
   * @param element the new element
   * @throws IndexOutOfBoundsException when the index is outside the array
   */
  public void set(int index, E element) {
    // Checked here: a write by the lock's holder does not wait for the broker's answer.
    java.util.Objects.checkIndex(index, length);
    access("set", index, packer -> writeValue(packer, element));
  }

  /**
   * Every element, taken in one step: Python's {@code a[:]}.
   *
   * @return a copy of the elements
   */
  public List<E> toList() {
    List<E> elements = new ArrayList<>(length);
    for (Slice encoded : binaries(access("all", 0, null))) {
      @SuppressWarnings("unchecked")
      E element = (E) decode(encoded, reader, type);
      elements.add(element);
    }
    return elements;
  }

  @Override
  public String toString() {
    return "Array" + toList();
  }
}
