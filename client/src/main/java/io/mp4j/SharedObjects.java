package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Wire;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Makes the objects a broker serves: queues, Python's Manager containers (dict, list,
 * namespace), Value and Array, and the synchronization primitives. {@link Context} and
 * {@link Manager} are both one of these, as Python offers {@code multiprocessing.Lock()} and
 * {@code Manager().Lock()}.
 *
 * <p>Each object is made anonymously, living as long as the process that made it stays
 * connected, or got-or-made by name through {@link #named(String)}, living until it is deleted,
 * so that separate programs share it: {@code manager.named("scores").dict(String.class,
 * Integer.class)}. Every object passed as an argument to a Process or a Pool task arrives as a
 * working proxy to the same object.
 */
public abstract class SharedObjects {
  SharedObjects() {}

  /** The channel the objects are made through; throws when it is closed. */
  abstract BrokerChannel channel();

  /** The name of the next object made: null to make a fresh anonymous one. */
  String fixedName() {
    return null;
  }

  /**
   * A view of these factories that gets the object with this name, making it when it does not
   * exist yet: how two programs share one object. The object made lives until it is deleted.
   *
   * @param name the object's name in the broker
   * @return the factories for that name
   */
  public SharedObjects named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a shared object's name is not empty");
    }
    SharedObjects owner = this;
    return new SharedObjects() {
      @Override
      BrokerChannel channel() {
        return owner.channel();
      }

      @Override
      String fixedName() {
        return name;
      }
    };
  }

  private String nameFor(String kind) {
    String fixed = fixedName();
    return fixed != null ? fixed : kind + "-" + UUID.randomUUID();
  }

  private byte[] open(String kind, String name, byte[] settings) {
    return SharedObject.open(channel(), name, fixedName() != null, kind, settings);
  }

  /** Makes the re-entrant lock of the value or array with this name, as Python's default. */
  private void openLockOf(String name) {
    open(RLock.KIND, SynchronizedObject.lockName(name),
        Wire.pack(packer -> packer.packArrayHeader(0)));
  }

  // ---- queues ----

  /**
   * A queue without a size limit: Python's {@code Queue()}.
   *
   * @param itemType the class its items decode into
   * @param <E> the item type
   * @return the queue
   */
  public <E> Queue<E> queue(Class<E> itemType) {
    return queue(itemType, 0);
  }

  /**
   * A queue holding at most {@code maxSize} items: Python's {@code Queue(maxsize)}. Got by
   * name, an existing queue keeps the size it was made with.
   *
   * @param itemType the class its items decode into
   * @param maxSize the most items it holds; 0 for no limit
   * @param <E> the item type
   * @return the queue
   * @throws IllegalArgumentException when {@code maxSize} is negative
   */
  public <E> Queue<E> queue(Class<E> itemType, int maxSize) {
    return Queue.open(channel(), nameFor("queue"), itemType, maxSize, false);
  }

  /**
   * A joinable queue: Python's {@code JoinableQueue(maxsize)}.
   *
   * @param itemType the class its items decode into
   * @param maxSize the most items it holds; 0 for no limit
   * @param <E> the item type
   * @return the queue
   * @throws IllegalArgumentException when {@code maxSize} is negative
   */
  public <E> JoinableQueue<E> joinableQueue(Class<E> itemType, int maxSize) {
    Queue<E> queue = Queue.open(channel(), nameFor("queue"), itemType, maxSize, true);
    if (!(queue instanceof JoinableQueue<E> joinable)) {
      throw new IllegalStateException("queue " + queue.name() + " exists and is not joinable");
    }
    return joinable;
  }

  /**
   * A simple queue: Python's {@code SimpleQueue()}.
   *
   * @param itemType the class its items decode into
   * @param <E> the item type
   * @return the queue
   */
  public <E> SimpleQueue<E> simpleQueue(Class<E> itemType) {
    return new SimpleQueue<>(queue(itemType));
  }

  // ---- containers ----

  /**
   * A dict: Python's {@code Manager().dict()}.
   *
   * @param keyType the class its keys decode into
   * @param valueType the class its values decode into
   * @param <K> the key type
   * @param <V> the value type
   * @return the dict
   */
  public <K, V> SharedDict<K, V> dict(Class<K> keyType, Class<V> valueType) {
    String name = nameFor(SharedDict.KIND);
    open(SharedDict.KIND, name, Wire.pack(packer -> packer.packArrayHeader(0)));
    return new SharedDict<>(channel(), name, SharedDict.KIND, keyType, valueType);
  }

  /**
   * An empty list: Python's {@code Manager().list()}.
   *
   * @param itemType the class its items decode into
   * @param <E> the item type
   * @return the list
   */
  public <E> SharedList<E> list(Class<E> itemType) {
    return list(itemType, List.of());
  }

  /**
   * A list made with these items: Python's {@code Manager().list(items)}. Got by name, an
   * existing list keeps its items.
   *
   * @param itemType the class its items decode into
   * @param items the first items
   * @param <E> the item type
   * @return the list
   */
  public <E> SharedList<E> list(Class<E> itemType, Collection<? extends E> items) {
    String name = nameFor(SharedList.KIND);
    open(SharedList.KIND, name, packedBinaries(SharedObject.encodeAll(items)));
    return new SharedList<>(channel(), name, itemType);
  }

  /**
   * A namespace: Python's {@code Manager().Namespace()}.
   *
   * @return the namespace
   */
  public Namespace namespace() {
    String name = nameFor(Namespace.KIND);
    open(Namespace.KIND, name, Wire.pack(packer -> packer.packArrayHeader(0)));
    return new Namespace(channel(), name);
  }

  /**
   * A value with a lock of its own: Python's {@code Value(typecode, initial)}.
   *
   * @param type the class it decodes into
   * @param initial its first value; got by name, an existing value keeps its own
   * @param <T> its type
   * @return the value
   */
  public <T> Value<T> value(Class<T> type, T initial) {
    return value(type, initial, true);
  }

  /**
   * A value, with or without a lock: Python's {@code Value(typecode, initial, lock=...)}.
   *
   * @param type the class it decodes into
   * @param initial its first value; got by name, an existing value keeps its own
   * @param withLock whether it has a lock ({@link Value#getLock()})
   * @param <T> its type
   * @return the value
   */
  public <T> Value<T> value(Class<T> type, T initial, boolean withLock) {
    String name = nameFor(Value.KIND);
    open(Value.KIND, name, packedBinaries(SharedObject.encodeAll(
        Collections.singletonList(initial))));
    if (withLock) {
      openLockOf(name);
    }
    return new Value<>(channel(), name, type, withLock);
  }

  /**
   * An array of {@code length} zeros (false, or null for types that are not numbers), with a
   * lock: Python's {@code Array(typecode, length)}.
   *
   * @param type the class its elements decode into
   * @param length the number of elements
   * @param <E> the element type
   * @return the array
   */
  public <E> Array<E> array(Class<E> type, int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length must be 0 or more, got " + length);
    }
    return array(type, Collections.nCopies(length, zero(type)), true);
  }

  /**
   * An array holding these elements, with or without a lock: Python's
   * {@code Array(typecode, sequence, lock=...)}.
   *
   * @param type the class its elements decode into
   * @param elements its first elements, which fix its length; got by name, an existing array
   *     keeps its own
   * @param withLock whether it has a lock ({@link Array#getLock()})
   * @param <E> the element type
   * @return the array
   */
  public <E> Array<E> array(Class<E> type, List<? extends E> elements, boolean withLock) {
    String name = nameFor(Array.KIND);
    byte[] info = open(Array.KIND, name, packedBinaries(SharedObject.encodeAll(elements)));
    if (withLock) {
      openLockOf(name);
    }
    return new Array<>(channel(), name, type, info, withLock);
  }

  @SuppressWarnings("unchecked")
  private static <E> E zero(Class<E> type) {
    Object zero;
    if (type == Integer.class) {
      zero = 0;
    } else if (type == Long.class) {
      zero = 0L;
    } else if (type == Double.class) {
      zero = 0.0;
    } else if (type == Float.class) {
      zero = 0.0f;
    } else if (type == Short.class) {
      zero = (short) 0;
    } else if (type == Byte.class) {
      zero = (byte) 0;
    } else if (type == Boolean.class) {
      zero = false;
    } else if (type == Character.class) {
      zero = '\0';
    } else {
      zero = null;
    }
    return (E) zero;
  }

  private static byte[] packedBinaries(byte[] binaries) {
    return Wire.pack(packer -> {
      packer.packBinaryHeader(binaries.length);
      packer.writePayload(binaries);
    });
  }

  // ---- synchronization ----

  /**
   * A lock: Python's {@code Lock()}.
   *
   * @return the lock
   */
  public Lock lock() {
    String name = nameFor(Lock.KIND);
    open(Lock.KIND, name, Wire.pack(packer -> packer.packArrayHeader(0)));
    return new Lock(channel(), name, Lock.KIND);
  }

  /**
   * A re-entrant lock: Python's {@code RLock()}.
   *
   * @return the lock
   */
  public RLock rlock() {
    String name = nameFor(RLock.KIND);
    open(RLock.KIND, name, Wire.pack(packer -> packer.packArrayHeader(0)));
    return new RLock(channel(), name);
  }

  /**
   * A semaphore: Python's {@code Semaphore(value)}.
   *
   * @param permits its initial value, 0 or more
   * @return the semaphore
   */
  public Semaphore semaphore(int permits) {
    String name = nameFor(Semaphore.KIND);
    byte[] info = open(Semaphore.KIND, name, semaphoreSettings(permits, false));
    return bounded(info) ? new BoundedSemaphore(channel(), name, info)
        : new Semaphore(channel(), name, info);
  }

  /**
   * A semaphore that may not be released above its initial value: Python's
   * {@code BoundedSemaphore(value)}.
   *
   * @param permits its initial value, 0 or more
   * @return the semaphore
   */
  public BoundedSemaphore boundedSemaphore(int permits) {
    String name = nameFor(Semaphore.KIND);
    byte[] info = open(Semaphore.KIND, name, semaphoreSettings(permits, true));
    if (!bounded(info)) {
      throw new IllegalStateException("semaphore " + name + " exists and is not bounded");
    }
    return new BoundedSemaphore(channel(), name, info);
  }

  private static byte[] semaphoreSettings(int permits, boolean bounded) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be 0 or more, got " + permits);
    }
    return Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packInt(permits);
      packer.packBoolean(bounded);
    });
  }

  static boolean bounded(byte[] info) {
    try (var in = Wire.unpacker(info)) {
      in.unpackArrayHeader();
      in.unpackInt();
      return in.unpackBoolean();
    } catch (java.io.IOException e) {
      throw new BrokerException("malformed semaphore settings", e);
    }
  }

  /**
   * A condition with a new re-entrant lock: Python's {@code Condition()}.
   *
   * @return the condition
   */
  public Condition condition() {
    String fixed = fixedName();
    String lockName = fixed != null ? SynchronizedObject.lockName(fixed) : nameFor(RLock.KIND);
    SharedObject.open(channel(), lockName, fixed != null, RLock.KIND,
        Wire.pack(packer -> packer.packArrayHeader(0)));
    return openCondition(lockName);
  }

  /**
   * A condition that waits with the given lock: Python's {@code Condition(lock)}.
   *
   * @param lock a lock or rlock of the same broker
   * @return the condition
   */
  public Condition condition(Lock lock) {
    return openCondition(lock.name());
  }

  private Condition openCondition(String lockName) {
    String name = nameFor(Condition.KIND);
    byte[] info = open(Condition.KIND, name, Wire.pack(packer -> packer.packString(lockName)));
    return ObjectHandles.condition(channel(), name, info);
  }

  /**
   * An event: Python's {@code Event()}.
   *
   * @return the event, not set
   */
  public Event event() {
    String name = nameFor(Event.KIND);
    open(Event.KIND, name, Wire.pack(packer -> packer.packArrayHeader(0)));
    return new Event(channel(), name);
  }

  /**
   * A barrier for {@code parties} parties: Python's {@code Barrier(parties)}.
   *
   * @param parties how many must arrive to trip it, at least 1
   * @return the barrier
   */
  public Barrier barrier(int parties) {
    return barrier(parties, null);
  }

  /**
   * A barrier with an action run once per trip, by the last party to arrive, before the
   * parties go on: Python's {@code Barrier(parties, action)}.
   *
   * @param parties how many must arrive to trip it, at least 1
   * @param action a static method reference, serializable lambda or task class, resolved in the
   *     process that runs it; null for none
   * @return the barrier
   */
  public Barrier barrier(int parties, VoidTask0 action) {
    String name = nameFor(Barrier.KIND);
    byte[] encodedAction = action == null ? null : TaskFunction.ofVoid(action).descriptor();
    byte[] info = open(Barrier.KIND, name, Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packInt(parties);
      Wire.packNullableBinary(packer, encodedAction);
    }));
    return new Barrier(channel(), name, info);
  }

  // ---- registered types ----

  /**
   * An instance of a type registered with the broker (Python's {@code BaseManager.register}),
   * held by the broker and called through a proxy that implements {@code api}: each call runs
   * the instance's public method of the same name and number of parameters in the broker, one
   * call at a time. Got by name, an existing instance is returned and the arguments are unused.
   *
   * @param typeName the name the type was registered under
   * @param api an interface whose methods the type has
   * @param constructorArgs arguments of the type's public constructor
   * @param <T> the interface
   * @return the proxy
   * @throws IllegalArgumentException when no type is registered under that name
   */
  public <T> T create(String typeName, Class<T> api, Object... constructorArgs) {
    if (!api.isInterface()) {
      throw new IllegalArgumentException(api.getName() + " is not an interface: a proxy to a"
          + " registered type implements an interface that the type's methods match");
    }
    String name = nameFor("object");
    List<Object> args = new ArrayList<>(List.of(constructorArgs));
    byte[] info = open(ObjectHandles.CUSTOM, name, Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packString(typeName);
      byte[] encoded = SharedObject.encodeAll(args);
      packer.packBinaryHeader(encoded.length);
      packer.writePayload(encoded);
    }));
    return api.cast(Proxy.newProxyInstance(api.getClassLoader(),
        new Class<?>[] {api, io.mp4j.protocol.codec.SharedHandle.class},
        new CustomProxy(new SharedObject(channel(), name, ObjectHandles.CUSTOM, info))));
  }
}
