package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.SharedHandle;
import io.mp4j.protocol.codec.ValueReader;
import java.lang.reflect.Type;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A dict served by the broker and shared by every process that has it: Python's
 * {@code Manager().dict()}, as a {@link ConcurrentMap}.
 *
 * <p>Every single operation, {@code putIfAbsent}, {@code replace(k, old, new)} and
 * {@code remove(k, v)} included, is one atomic step in the broker, so the map's default
 * {@code compute} and {@code merge} are atomic too (they retry those steps). Keys and values are
 * copies: keys are equal when their encoded forms are (so {@code 1} and {@code 1L} are one key),
 * and values compare by encoded form. {@link #entrySet()}, {@link #keySet()} and
 * {@link #values()} are snapshots taken in one step; changing them does not change the dict.
 * Entries keep the order they were first put in, as a Python dict does. No null keys or values.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class SharedDict<K, V> extends AbstractMap<K, V>
    implements ConcurrentMap<K, V>, SharedHandle {
  static final String KIND = "dict";

  private final SharedObject object;
  private final Type keyType;
  private final Type valueType;
  private final ValueReader keys;
  private final ValueReader values;

  SharedDict(BrokerChannel channel, String name, String kind, Type keyType, Type valueType) {
    this.object = new SharedObject(channel, name, kind, new byte[] {(byte) 0x90});
    this.keyType = keyType;
    this.valueType = valueType;
    this.keys = Codec.reader(keyType);
    this.values = Codec.reader(valueType);
  }

  /**
   * This dict's name in the broker.
   *
   * @return the name
   */
  public String name() {
    return object.name();
  }

  /** Removes the dict from the broker; later calls through any proxy to it fail. */
  public void delete() {
    object.delete();
  }

  @Override
  public Ref ref() {
    return object.ref();
  }

  private V value(Reply reply) {
    @SuppressWarnings("unchecked")
    V value = (V) object.decode(reply.payload(), values, valueType);
    return value;
  }

  private K key(Slice encoded) {
    @SuppressWarnings("unchecked")
    K key = (K) object.decode(encoded, keys, keyType);
    return key;
  }

  private Reply call(String op, Object... args) {
    return object.call(op, packer -> {
      packer.packArrayHeader(args.length);
      for (Object arg : args) {
        SharedObject.writeValue(packer, Objects.requireNonNull(arg,
            "a shared dict holds no null keys or values"));
      }
    });
  }

  @Override
  public V get(Object key) {
    return value(call("dict.get", key));
  }

  /**
   * The values of many keys in one step.
   *
   * @param keys the keys
   * @return the keys that are present, with their values, in the order asked
   */
  public Map<K, V> getAll(Collection<? extends K> keys) {
    List<K> asked = new ArrayList<>(keys);
    Reply reply = object.call("dict.getAll", packer -> {
      packer.packArrayHeader(1);
      byte[] encoded = SharedObject.encodeAll(asked);
      packer.packBinaryHeader(encoded.length);
      packer.writePayload(encoded);
    });
    Map<K, V> found = new LinkedHashMap<>();
    try (var in = Wire.unpacker(reply.payload())) {
      int count = in.unpackArrayHeader();
      for (int i = 0; i < count; i++) {
        Slice value = Wire.readNullableSlice(in, reply.payload());
        if (value != null) {
          @SuppressWarnings("unchecked")
          V decoded = (V) object.decode(value, values, valueType);
          found.put(asked.get(i), decoded);
        }
      }
    } catch (java.io.IOException e) {
      throw new BrokerException("malformed answer about " + object.describe(), e);
    }
    return found;
  }

  @Override
  public V put(K key, V value) {
    return value(call("dict.put", key, value));
  }

  /** Puts every entry in one step. */
  @Override
  public void putAll(Map<? extends K, ? extends V> entries) {
    List<Object> flat = new ArrayList<>(entries.size() * 2);
    entries.forEach((key, value) -> {
      flat.add(Objects.requireNonNull(key, "a shared dict holds no null keys"));
      flat.add(Objects.requireNonNull(value, "a shared dict holds no null values"));
    });
    object.call("dict.putAll", packer -> {
      packer.packArrayHeader(1);
      byte[] encoded = SharedObject.encodeAll(flat);
      packer.packBinaryHeader(encoded.length);
      packer.writePayload(encoded);
    });
  }

  @Override
  public V putIfAbsent(K key, V value) {
    return value(call("dict.putIfAbsent", key, value));
  }

  @Override
  public V remove(Object key) {
    return value(call("dict.remove", key));
  }

  @Override
  public boolean remove(Object key, Object value) {
    return key != null && value != null && SharedObject.bool(call("dict.removeIf", key, value));
  }

  @Override
  public V replace(K key, V value) {
    return value(call("dict.replace", key, value));
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    return SharedObject.bool(call("dict.replaceIf", key, oldValue, newValue));
  }

  @Override
  public boolean containsKey(Object key) {
    return key != null && SharedObject.bool(call("dict.containsKey", key));
  }

  @Override
  public boolean containsValue(Object value) {
    return value != null && SharedObject.bool(call("dict.containsValue", value));
  }

  @Override
  public int size() {
    return SharedObject.integer(call("dict.size"));
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public void clear() {
    call("dict.clear");
  }

  /** A snapshot of the entries, taken in one step. */
  @Override
  public Set<Entry<K, V>> entrySet() {
    List<Slice> flat = object.binaries(call("dict.entries"));
    Set<Entry<K, V>> entries = new LinkedHashSet<>();
    for (int i = 0; i < flat.size(); i += 2) {
      @SuppressWarnings("unchecked")
      V value = (V) object.decode(flat.get(i + 1), values, valueType);
      entries.add(new SimpleImmutableEntry<>(key(flat.get(i)), value));
    }
    return entries;
  }

  /** A snapshot of the keys, taken in one step. */
  @Override
  public Set<K> keySet() {
    Set<K> found = new LinkedHashSet<>();
    for (Slice key : object.binaries(call("dict.keys"))) {
      found.add(key(key));
    }
    return found;
  }

  /** A snapshot of the values, taken in one step. */
  @Override
  public Collection<V> values() {
    List<V> found = new ArrayList<>();
    for (Slice value : object.binaries(call("dict.values"))) {
      @SuppressWarnings("unchecked")
      V decoded = (V) object.decode(value, values, valueType);
      found.add(decoded);
    }
    return found;
  }
}
