package io.mp4j.protocol.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.jackson.dataformat.MessagePackFactory;
import org.msgpack.value.ValueType;

/**
 * Encodes values as msgpack and decodes them into declared Java types, generic ones included.
 *
 * <p>Numbers, booleans, strings, byte arrays and null are written and read with msgpack-core
 * directly, because they are what tasks pass most and a call through Jackson would cost several
 * times more. Everything else (lists, maps, sets, primitive arrays, enums, records, beans) goes
 * through Jackson's msgpack data format, which writes one msgpack value, so both kinds mix freely
 * in one frame. A value read into {@code Object} takes its natural Java type: Integer or Long,
 * Double, String, byte[], List, Map. Not for users.
 */
public final class Codec {
  /**
   * Jackson's mappers, made on first use: building them costs a fresh JVM a few hundred
   * milliseconds, which a worker that only sees numbers and strings never needs to pay.
   */
  private static final class Mappers {
    static {
      Wire.preferUniversalBuffers();
    }

    /** The one Jackson mapper for values; thread-safe once configured. */
    static final ObjectMapper VALUES =
        new ObjectMapper(new MessagePackFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Task objects may have no state at all, which Jackson otherwise refuses. */
    static final ObjectMapper STATE =
        VALUES.copy().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  private static final Map<Type, ValueReader> READERS = new ConcurrentHashMap<>();
  /** The most slots a collection is made with before its elements are read. */
  private static final int PRESIZE_LIMIT = 1024;

  private Codec() {}

  /**
   * Writes one value.
   *
   * @throws CodecException when the value's type cannot be written, naming the type
   */
  public static void write(MessagePacker out, Object value) throws IOException {
    if (value == null) {
      out.packNil();
    } else if (value instanceof Integer i) {
      out.packInt(i);
    } else if (value instanceof Long l) {
      out.packLong(l);
    } else if (value instanceof Double d) {
      out.packDouble(d);
    } else if (value instanceof String s) {
      out.packString(s);
    } else if (value instanceof Boolean b) {
      out.packBoolean(b);
    } else if (value instanceof byte[] bytes) {
      out.packBinaryHeader(bytes.length);
      out.writePayload(bytes);
    } else if (value instanceof Float f) {
      out.packFloat(f);
    } else if (value instanceof Short s) {
      out.packShort(s);
    } else if (value instanceof Byte b) {
      out.packByte(b);
    } else if (value instanceof Character c) {
      out.packString(c.toString());
    } else if (value instanceof SharedHandle handle) {
      writeHandle(out, handle.ref());
    } else if (value instanceof Collection<?> collection) {
      // Written as Jackson writes it (an array), but without a Jackson generator per value.
      out.packArrayHeader(collection.size());
      for (Object element : collection) {
        write(out, element);
      }
    } else if (value instanceof int[] ints) {
      out.packArrayHeader(ints.length);
      for (int element : ints) {
        out.packInt(element);
      }
    } else if (value instanceof long[] longs) {
      out.packArrayHeader(longs.length);
      for (long element : longs) {
        out.packLong(element);
      }
    } else if (value instanceof double[] doubles) {
      out.packArrayHeader(doubles.length);
      for (double element : doubles) {
        out.packDouble(element);
      }
    } else {
      requireEncodable(value.getClass());
      out.writePayload(toBytes(value, Mappers.VALUES));
    }
  }

  /**
   * Refuses JDK types that are not data, such as threads or sockets, which Jackson would
   * otherwise write as a map of whatever their getters return.
   */
  private static void requireEncodable(Class<?> type) {
    if (type.isArray() || type.isEnum() || type.isRecord()
        || java.util.Collection.class.isAssignableFrom(type)
        || Map.class.isAssignableFrom(type) || Number.class.isAssignableFrom(type)) {
      return;
    }
    String name = type.getName();
    if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
        || name.startsWith("sun.") || name.startsWith("com.sun.")) {
      throw new CodecException("cannot encode a value of type " + name + ": mp4j sends numbers,"
          + " strings, byte and primitive arrays, lists, maps, sets, enums, records and beans");
    }
  }

  /** The msgpack extension type that marks a shared-object reference. */
  static final byte HANDLE_EXTENSION = 1;

  private static void writeHandle(MessagePacker out, SharedHandle.Ref ref) throws IOException {
    byte[] body = io.mp4j.protocol.Wire.pack(packer -> {
      packer.packArrayHeader(4);
      packer.packString(ref.kind());
      packer.packString(ref.name());
      packer.packString(ref.broker());
      packer.packBinaryHeader(ref.settings().length);
      packer.writePayload(ref.settings());
    });
    out.packExtensionTypeHeader(HANDLE_EXTENSION, body.length);
    out.writePayload(body);
  }

  private static Object readHandle(MessageUnpacker in, Type declared) throws IOException {
    var header = in.unpackExtensionTypeHeader();
    if (header.getType() != HANDLE_EXTENSION) {
      throw new IOException("unknown msgpack extension type " + header.getType());
    }
    byte[] body = in.readPayload(header.getLength());
    SharedHandle.Ref ref;
    try (MessageUnpacker ref0 = io.mp4j.protocol.Wire.unpacker(body)) {
      ref0.unpackArrayHeader();
      ref = new SharedHandle.Ref(ref0.unpackString(), ref0.unpackString(), ref0.unpackString(),
          ref0.readPayload(ref0.unpackBinaryHeader()));
    }
    io.mp4j.protocol.BrokerChannel channel = io.mp4j.protocol.Channels.current();
    if (channel == null) {
      throw new CodecException("a shared " + ref.kind() + " arrived outside a worker; shared"
          + " objects travel into tasks, not back out of them");
    }
    for (HandleFactory factory : java.util.ServiceLoader.load(HandleFactory.class,
        Thread.currentThread().getContextClassLoader())) {
      if (factory.kind().equals(ref.kind())) {
        return factory.create(ref, declared, channel);
      }
    }
    throw new CodecException("no factory for shared " + ref.kind() + " objects on this"
        + " classpath: put the mp4j client jar on the worker's classpath");
  }

  /** Encodes a task object's fields, which may be none. */
  public static byte[] encodeState(Object task) {
    return toBytes(task, Mappers.STATE);
  }

  /** Decodes a task object's fields into a new instance of its class. */
  public static Object decodeState(byte[] state, Class<?> type) {
    try {
      return Mappers.STATE.readValue(state, type);
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "cannot rebuild task object " + type.getName() + ": " + rootMessage(e), e);
    }
  }

  private static byte[] toBytes(Object value, ObjectMapper mapper) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "cannot encode a value of type " + value.getClass().getName()
              + ": mp4j sends numbers, strings, byte and primitive arrays, lists, maps, sets,"
              + " enums, records and beans (" + rootMessage(e) + ")",
          e);
    }
  }

  /** The reader for a declared type, made once per type. */
  public static ValueReader reader(Type type) {
    ValueReader reader = READERS.get(type);
    if (reader == null) {
      // Not computeIfAbsent: a container's reader makes its element's reader first, and the
      // map forbids that recursion. Two threads may make the same reader; either one serves.
      reader = newReader(type);
      ValueReader raced = READERS.putIfAbsent(type, reader);
      if (raced != null) {
        reader = raced;
      }
    }
    return reader;
  }

  private static ValueReader newReader(Type type) {
    if (type == Object.class) {
      return (in, source) -> readNatural(in);
    }
    if (type instanceof Class<?> cls) {
      ValueReader scalar = scalarReader(cls);
      if (scalar != null) {
        if (cls.isPrimitive()) {
          return scalar;
        }
        return (in, source) -> in.tryUnpackNil() ? null : scalar.read(in, source);
      }
    }
    Class<?> raw = type instanceof Class<?> c ? c
        : type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c ? c : null;
    if (raw != null && SharedHandle.class.isAssignableFrom(raw)) {
      return (in, source) -> in.tryUnpackNil() ? null : readHandle(in, type);
    }
    ValueReader container = containerReader(type);
    if (container != null) {
      return container;
    }
    JavaType javaType = Mappers.VALUES.getTypeFactory().constructType(type);
    return (in, source) -> {
      if (in.getNextFormat().getValueType() == ValueType.EXTENSION) {
        // A proxy declared as the interface it implements (a registered type's).
        return readHandle(in, type);
      }
      int start = (int) in.getTotalReadBytes();
      in.skipValue();
      int end = (int) in.getTotalReadBytes();
      return Mappers.VALUES.readValue(source, start, end - start, javaType);
    };
  }

  /**
   * Readers for lists, sets and primitive arrays that msgpack-core can fill directly; null for
   * other types, which go to Jackson.
   */
  private static ValueReader containerReader(Type type) {
    if (type == int[].class) {
      return (in, source) -> {
        if (in.tryUnpackNil()) {
          return null;
        }
        int[] values = new int[in.unpackArrayHeader()];
        for (int i = 0; i < values.length; i++) {
          values[i] = in.unpackInt();
        }
        return values;
      };
    }
    if (type == long[].class) {
      return (in, source) -> {
        if (in.tryUnpackNil()) {
          return null;
        }
        long[] values = new long[in.unpackArrayHeader()];
        for (int i = 0; i < values.length; i++) {
          values[i] = in.unpackLong();
        }
        return values;
      };
    }
    if (type == double[].class) {
      return (in, source) -> {
        if (in.tryUnpackNil()) {
          return null;
        }
        double[] values = new double[in.unpackArrayHeader()];
        for (int i = 0; i < values.length; i++) {
          values[i] = readDouble(in);
        }
        return values;
      };
    }
    if (!(type instanceof ParameterizedType parameterized)
        || parameterized.getActualTypeArguments().length != 1
        || !(parameterized.getRawType() instanceof Class<?> raw)) {
      return null;
    }
    // Made for the size the frame gives, up to a bound that a forged header cannot blow up: a
    // client decoding a million results keeps every one, and its collector copies each spare
    // slot along.
    IntFunction<Collection<Object>> factory;
    if (raw == List.class || raw == Collection.class || raw == ArrayList.class
        || raw == Iterable.class) {
      factory = ArrayList::new;
    } else if (raw == Set.class || raw == LinkedHashSet.class || raw == HashSet.class) {
      factory = size -> new LinkedHashSet<>(size + size / 3 + 1);
    } else if (raw == SortedSet.class || raw == NavigableSet.class || raw == TreeSet.class) {
      factory = size -> new TreeSet<>();
    } else {
      return null;
    }
    ValueReader element = reader(parameterized.getActualTypeArguments()[0]);
    return (in, source) -> {
      if (in.tryUnpackNil()) {
        return null;
      }
      int size = in.unpackArrayHeader();
      Collection<Object> values = factory.apply(Math.min(size, PRESIZE_LIMIT));
      for (int i = 0; i < size; i++) {
        values.add(element.read(in, source));
      }
      return values;
    };
  }

  private static ValueReader scalarReader(Class<?> type) {
    if (type == int.class || type == Integer.class) {
      return (in, source) -> in.unpackInt();
    }
    if (type == long.class || type == Long.class) {
      return (in, source) -> in.unpackLong();
    }
    if (type == double.class || type == Double.class) {
      return (in, source) -> readDouble(in);
    }
    if (type == String.class) {
      return (in, source) -> in.unpackString();
    }
    if (type == boolean.class || type == Boolean.class) {
      return (in, source) -> in.unpackBoolean();
    }
    if (type == byte[].class) {
      return (in, source) -> in.readPayload(in.unpackBinaryHeader());
    }
    if (type == float.class || type == Float.class) {
      return (in, source) -> (float) readDouble(in);
    }
    if (type == short.class || type == Short.class) {
      return (in, source) -> in.unpackShort();
    }
    if (type == byte.class || type == Byte.class) {
      return (in, source) -> in.unpackByte();
    }
    if (type == char.class || type == Character.class) {
      return (in, source) -> {
        String s = in.unpackString();
        if (s.length() != 1) {
          throw new IOException("expected a single character, got \"" + s + "\"");
        }
        return s.charAt(0);
      };
    }
    return null;
  }

  private static double readDouble(MessageUnpacker in) throws IOException {
    ValueType type = in.getNextFormat().getValueType();
    return type == ValueType.INTEGER ? in.unpackLong() : in.unpackDouble();
  }

  /** Reads a value into its natural Java type. */
  public static Object readNatural(MessageUnpacker in) throws IOException {
    ValueType type = in.getNextFormat().getValueType();
    switch (type) {
      case NIL:
        in.unpackNil();
        return null;
      case BOOLEAN:
        return in.unpackBoolean();
      case INTEGER:
        BigInteger big = in.unpackBigInteger();
        if (big.bitLength() < 32) {
          return big.intValue();
        }
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
      case FLOAT:
        return in.unpackDouble();
      case STRING:
        return in.unpackString();
      case BINARY:
        return in.readPayload(in.unpackBinaryHeader());
      case ARRAY: {
        int size = in.unpackArrayHeader();
        List<Object> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          list.add(readNatural(in));
        }
        return list;
      }
      case EXTENSION:
        return readHandle(in, Object.class);
      case MAP: {
        int size = in.unpackMapHeader();
        Map<Object, Object> map = new LinkedHashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
          map.put(readNatural(in), readNatural(in));
        }
        return map;
      }
      default:
        throw new IOException("msgpack " + type + " values have no Java type in mp4j");
    }
  }

  /** The innermost message of an exception chain, for error messages. */
  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message.lines().findFirst().orElse("");
  }
}
