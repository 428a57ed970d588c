package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.ValueReader;
import java.lang.reflect.Type;

/**
 * One value served by the broker and shared by every process that has it: Python's
 * {@code Value}. A get or a set is atomic, and, as in Python, on a value made with a lock it
 * waits while another thread holds that lock, so nobody sees an update half done. A
 * read-modify-write such as an increment takes the lock, as in Python:
 *
 * <pre>{@code
 * counter.getLock().lock();
 * try {
 *   counter.set(counter.get() + 1);
 * } finally {
 *   counter.getLock().unlock();
 * }
 * }</pre>
 *
 * @param <T> the value's type
 */
public final class Value<T> extends SynchronizedObject {
  static final String KIND = "value";

  private final Type type;
  private final ValueReader reader;

  Value(BrokerChannel channel, String name, Type type, boolean withLock) {
    super(channel, name, KIND, new byte[] {(byte) 0x90}, withLock);
    this.type = type;
    this.reader = Codec.reader(type);
  }

  /**
   * The value now: Python's {@code v.value}.
   *
   * @return the value
   */
  public T get() {
    @SuppressWarnings("unchecked")
    T value = (T) decode(access("get", 0, null).payload(), reader, type);
    return value;
  }

  /**
   * Sets the value: Python's {@code v.value = x}.
   *
   * @param value the new value
   * @throws EncodingException when it cannot be encoded
   */
  public void set(T value) {
    access("set", 0, packer -> writeValue(packer, value));
  }

  @Override
  public String toString() {
    return "Value[" + get() + "]";
  }
}
