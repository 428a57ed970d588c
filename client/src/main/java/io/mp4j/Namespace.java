package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.codec.Codec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Attributes by name, served by the broker and shared by every process that has it: Python's
 * {@code Manager().Namespace()}, where {@code ns.x = 1} is {@code ns.set("x", 1)} and
 * {@code ns.x} is {@code ns.get("x", Integer.class)}. Each call is one atomic step.
 */
public final class Namespace extends SharedObject {
  static final String KIND = "namespace";

  Namespace(BrokerChannel channel, String name) {
    super(channel, name, KIND, new byte[] {(byte) 0x90});
  }

  /**
   * Sets an attribute.
   *
   * @param attribute its name
   * @param value its value, not null
   * @throws EncodingException when the value cannot be encoded
   */
  public void set(String attribute, Object value) {
    Objects.requireNonNull(attribute, "attribute");
    Objects.requireNonNull(value, "a namespace attribute cannot be null");
    call("dict.put", packer -> {
      packer.packArrayHeader(2);
      writeValue(packer, attribute);
      writeValue(packer, value);
    });
  }

  /**
   * An attribute's value.
   *
   * @param attribute its name
   * @param type the class it decodes into
   * @param <T> its type
   * @return the value
   * @throws NoSuchElementException when there is no such attribute (Python's AttributeError)
   */
  public <T> T get(String attribute, Class<T> type) {
    Reply reply = call("dict.get", packer -> {
      packer.packArrayHeader(1);
      writeValue(packer, attribute);
    });
    if (reply.payload() == null) {
      throw new NoSuchElementException("namespace " + name + " has no attribute " + attribute);
    }
    return type.cast(decode(reply.payload(), Codec.reader(type), type));
  }

  /**
   * Whether the attribute is set.
   *
   * @param attribute its name
   * @return true when it has a value
   */
  public boolean has(String attribute) {
    return bool(call("dict.containsKey", packer -> {
      packer.packArrayHeader(1);
      writeValue(packer, attribute);
    }));
  }

  /**
   * Removes an attribute: Python's {@code del ns.x}.
   *
   * @param attribute its name
   * @return whether it was there
   */
  public boolean remove(String attribute) {
    return call("dict.remove", packer -> {
      packer.packArrayHeader(1);
      writeValue(packer, attribute);
    }).payload() != null;
  }

  /**
   * Every attribute with its value, taken in one step, values decoded as plain Java values
   * (numbers, strings, lists, maps).
   *
   * @return the attributes in the order they were first set
   */
  public Map<String, Object> attributes() {
    List<Slice> flat = binaries(call("dict.entries", packer -> packer.packArrayHeader(0)));
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (int i = 0; i < flat.size(); i += 2) {
      attributes.put((String) decode(flat.get(i), Codec.reader(String.class), String.class),
          decode(flat.get(i + 1), Codec.reader(Object.class), Object.class));
    }
    return attributes;
  }

  @Override
  public String toString() {
    return "Namespace" + attributes();
  }
}
