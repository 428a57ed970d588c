package io.mp4j.broker;

import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Request;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;
import org.msgpack.core.MessageUnpacker;

/**
 * The objects a Manager serves: dicts, lists, namespaces, values, arrays, locks, semaphores,
 * conditions, events, barriers and instances of registered types, answered on the loop thread,
 * so every single operation is atomic without a lock.
 *
 * <p>Values are kept as the msgpack bytes their senders wrote; the broker compares keys and
 * values by those bytes and never decodes them, except for the arguments of a registered type's
 * methods. Waiting (a lock acquire, a condition or event wait, a barrier) is a parked request
 * answered by the operation that ends it, by its deadline, or by the death of the process that
 * holds what it waits for: a lock or permits held by a process that leaves are given back, and
 * the next holder is told.
 *
 * <p>An object made without a name belongs to the process that made it and goes when that
 * process leaves the broker; a named one stays until it is deleted.
 */
final class ManagedObjects {
  /** A thread of a connected process: who holds a lock or permits. */
  record Owner(Peer peer, long thread) {}

  /** Msgpack bytes compared by content, as dict keys. */
  record Key(byte[] bytes) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  private record RequestKey(Peer peer, long requestId) {}

  private static final byte[] NO_INFO = {(byte) 0x90};

  private final Map<String, Managed> objects = new HashMap<>();
  private final Map<RequestKey, Waiter> waiting = new HashMap<>();
  private final PriorityQueue<Waiter> deadlines =
      new PriorityQueue<>(Comparator.comparingLong(waiter -> waiter.deadline));
  /** Where replies go, as encoded REPLY body frames. */
  private final BiConsumer<Peer, byte[]> replies;
  private final Map<String, Class<?>> types;

  ManagedObjects(BiConsumer<Peer, byte[]> replies, Map<String, Class<?>> types) {
    this.replies = replies;
    this.types = Map.copyOf(types);
  }

  int objectCount() {
    return objects.size();
  }

  /** Carries out one request; the reply may come now or later. */
  void handle(Peer peer, Request request, long now) {
    try (MessageUnpacker args = Wire.unpacker(request.args())) {
      args.unpackArrayHeader();
      String op = request.op();
      if (op.equals("obj.open")) {
        open(peer, request, args);
        return;
      }
      Managed object = objects.get(request.name());
      if (object == null) {
        fail(peer, request, ErrorCode.NO_SUCH_OBJECT, "no shared object named " + request.name()
            + ": it was deleted, the process that made it without a name has left, or it"
            + " never existed");
        return;
      }
      String family = op.substring(0, Math.max(0, op.indexOf('.')));
      if (!family.equals("obj") && !object.answers(family)) {
        fail(peer, request, ErrorCode.BAD_REQUEST, "shared object " + object.name + " is a "
            + object.kind + "; it has no operation " + op);
        return;
      }
      switch (family) {
        case "obj" -> objectOp(peer, request, object, args);
        case "dict" -> dict(peer, request, (DictObject) object, args);
        case "list" -> list(peer, request, (ListObject) object, args);
        case "value" -> value(peer, request, (ListObject) object, args, now);
        case "lock" -> lock(peer, request, (LockObject) object, args, now);
        case "sem" -> semaphore(peer, request, (SemaphoreObject) object, args, now);
        case "cond" -> condition(peer, request, (ConditionObject) object, args, now);
        case "event" -> event(peer, request, (EventObject) object, args, now);
        case "barrier" -> barrier(peer, request, (BarrierObject) object, args, now);
        case "custom" -> custom(peer, request, (CustomObject) object, args);
        default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation " + op);
      }
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      fail(peer, request, ErrorCode.BAD_REQUEST, e.getMessage());
    } catch (IOException | RuntimeException e) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "malformed arguments for " + request.op() + ": "
          + e.getMessage());
    }
  }

  // ---- making, deleting, withdrawing ----

  private void open(Peer peer, Request request, MessageUnpacker args) throws IOException {
    String kind = args.unpackString();
    boolean named = args.unpackBoolean();
    byte[] settings = args.readPayload(args.unpackBinaryHeader());
    Managed existing = objects.get(request.name());
    if (existing != null) {
      if (!existing.kind.equals(kind)) {
        fail(peer, request, ErrorCode.BAD_REQUEST, "shared object " + request.name() + " is a "
            + existing.kind + ", not a " + kind);
      } else {
        ok(peer, request, existing.info);
      }
      return;
    }
    Managed made;
    try (MessageUnpacker in = Wire.unpacker(settings)) {
      made = create(request.name(), kind, in);
    } catch (IllegalArgumentException e) {
      fail(peer, request, ErrorCode.BAD_REQUEST, e.getMessage());
      return;
    } catch (TypeCallException e) {
      fail(peer, request, e.code, e.getMessage());
      return;
    }
    made.owner = named ? null : peer;
    objects.put(made.name, made);
    ok(peer, request, made.info);
  }

  private Managed create(String name, String kind, MessageUnpacker in) throws IOException {
    return switch (kind) {
      case "dict", "namespace" -> new DictObject(name, kind);
      case "list", "value", "array" -> {
        ListObject list = new ListObject(name, kind);
        list.items.addAll(Wire.unpackBinaries(in.readPayload(in.unpackBinaryHeader())));
        if (kind.equals("value") && list.items.size() != 1) {
          throw new IllegalArgumentException("a value holds exactly one item");
        }
        if (!kind.equals("list")) {
          list.info = Wire.pack(packer -> packer.packInt(list.items.size()));
        }
        yield list;
      }
      case "lock", "rlock" -> new LockObject(name, kind);
      case "semaphore" -> {
        in.unpackArrayHeader();
        int value = in.unpackInt();
        boolean bounded = in.unpackBoolean();
        if (value < 0) {
          throw new IllegalArgumentException("a semaphore's initial value is 0 or more, got "
              + value);
        }
        SemaphoreObject semaphore = new SemaphoreObject(name, value, bounded ? value : -1);
        semaphore.info = Wire.pack(packer -> {
          packer.packArrayHeader(2);
          packer.packInt(value);
          packer.packBoolean(bounded);
        });
        yield semaphore;
      }
      case "condition" -> {
        String lockName = in.unpackString();
        if (!(objects.get(lockName) instanceof LockObject lock)) {
          throw new IllegalArgumentException("a condition needs a lock or rlock; there is none"
              + " named " + lockName);
        }
        ConditionObject condition = new ConditionObject(name, lockName);
        condition.info = Wire.pack(packer -> {
          packer.packArrayHeader(2);
          packer.packString(lockName);
          packer.packString(lock.kind);
        });
        yield condition;
      }
      case "event" -> new EventObject(name);
      case "barrier" -> {
        in.unpackArrayHeader();
        int parties = in.unpackInt();
        byte[] action = Wire.unpackNullableBinary(in);
        if (parties < 1) {
          throw new IllegalArgumentException("a barrier has 1 or more parties, got " + parties);
        }
        BarrierObject barrier = new BarrierObject(name, parties, action);
        barrier.info = Wire.pack(packer -> packer.packInt(parties));
        yield barrier;
      }
      case "custom" -> {
        in.unpackArrayHeader();
        String typeName = in.unpackString();
        List<byte[]> constructorArgs = Wire.unpackBinaries(in.readPayload(in.unpackBinaryHeader()));
        Class<?> type = types.get(typeName);
        if (type == null) {
          throw new IllegalArgumentException("no type is registered as " + typeName
              + " with this broker; register it with Manager.builder().register(...), or with"
              + " the broker command's --register");
        }
        Constructor<?> constructor = (Constructor<?>) find(type.getConstructors(), null,
            constructorArgs.size(), typeName);
        CustomObject custom = new CustomObject(name, typeName, construct(constructor,
            constructorArgs, typeName));
        custom.info = Wire.pack(packer -> packer.packString(typeName));
        yield custom;
      }
      default -> throw new IllegalArgumentException("no shared object kind " + kind);
    };
  }

  private void objectOp(Peer peer, Request request, Managed object, MessageUnpacker args)
      throws IOException {
    switch (request.op()) {
      case "obj.delete" -> {
        delete(object);
        ok(peer, request, null);
      }
      case "obj.cancel" -> {
        Waiter waiter = waiting.get(new RequestKey(peer, args.unpackLong()));
        if (waiter != null) {
          withdraw(waiter);
        }
        ok(peer, request, null);
      }
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation " + request.op());
    }
  }

  private void delete(Managed object) {
    objects.remove(object.name);
    String gone = "shared " + object.kind + " " + object.name + " was deleted";
    for (Waiter waiter : new ArrayList<>(waiting.values())) {
      // A condition's waiter also waits on its lock: for a notify, then to take it back.
      if (waiter.object == object || waiter.lock == object) {
        if (waiter.kind == WaitKind.CONDITION) {
          ((ConditionObject) waiter.object).waiters.remove(waiter);
        }
        answer(waiter, Reply.failed(waiter.requestId, ErrorCode.NO_SUCH_OBJECT, gone));
      }
    }
  }

  /**
   * Takes a waiter out of what it waits for, at its deadline or when its caller withdraws it, and
   * answers it as timed out. A condition waiter goes back to its lock and answers when it holds it again,
   * as a timed-out wait does.
   */
  private void withdraw(Waiter waiter) {
    String name = waiter.object.name;
    switch (waiter.kind) {
      case LOCK -> {
        ((LockObject) waiter.object).waiters.remove(waiter);
        answer(waiter, Reply.failed(waiter.requestId, ErrorCode.TIMEOUT, "lock " + name
            + " stayed held"));
      }
      case SEMAPHORE -> {
        SemaphoreObject semaphore = (SemaphoreObject) waiter.object;
        semaphore.waiters.remove(waiter);
        answer(waiter, Reply.failed(waiter.requestId, ErrorCode.TIMEOUT, "semaphore " + name
            + " had no permits"));
        grant(semaphore);
      }
      case EVENT -> {
        ((EventObject) waiter.object).waiters.remove(waiter);
        answer(waiter, Reply.ok(waiter.requestId, bool(false)));
      }
      case CONDITION -> {
        ((ConditionObject) waiter.object).waiters.remove(waiter);
        waiter.kind = WaitKind.REACQUIRE;
        waiter.lock.waiters.addLast(waiter);
        grant(waiter.lock);
      }
      case BARRIER -> breakBarrier((BarrierObject) waiter.object, waiter, null);
      case REACQUIRE -> { } // it answers once it holds the lock again
      case VALUE -> { } // as Python's, a value's read or write waits for its lock, uninterrupted
    }
  }

  // ---- dict and namespace ----

  private void dict(Peer peer, Request request, DictObject dict, MessageUnpacker args)
      throws IOException {
    Map<Key, byte[]> map = dict.map;
    switch (request.op()) {
      case "dict.get" -> ok(peer, request, map.get(key(args)));
      case "dict.put" -> ok(peer, request, map.put(key(args), bin(args)));
      case "dict.putIfAbsent" -> ok(peer, request, map.putIfAbsent(key(args), bin(args)));
      case "dict.remove" -> ok(peer, request, map.remove(key(args)));
      case "dict.removeIf" -> {
        Key key = key(args);
        byte[] expected = bin(args);
        boolean match = map.containsKey(key) && Arrays.equals(map.get(key), expected);
        if (match) {
          map.remove(key);
        }
        ok(peer, request, bool(match));
      }
      case "dict.replace" -> {
        Key key = key(args);
        byte[] value = bin(args);
        ok(peer, request, map.containsKey(key) ? map.put(key, value) : null);
      }
      case "dict.replaceIf" -> {
        Key key = key(args);
        byte[] expected = bin(args);
        byte[] value = bin(args);
        boolean match = map.containsKey(key) && Arrays.equals(map.get(key), expected);
        if (match) {
          map.put(key, value);
        }
        ok(peer, request, bool(match));
      }
      case "dict.containsKey" -> ok(peer, request, bool(map.containsKey(key(args))));
      case "dict.containsValue" -> {
        byte[] value = bin(args);
        ok(peer, request, bool(map.values().stream().anyMatch(v -> Arrays.equals(v, value))));
      }
      case "dict.size" -> ok(peer, request, Wire.pack(packer -> packer.packInt(map.size())));
      case "dict.clear" -> {
        map.clear();
        ok(peer, request, null);
      }
      case "dict.keys" -> ok(peer, request, Wire.packBinaries(
          map.keySet().stream().map(Key::bytes).toList()));
      case "dict.values" -> ok(peer, request, Wire.packBinaries(new ArrayList<>(map.values())));
      case "dict.entries" -> {
        List<byte[]> flat = new ArrayList<>(map.size() * 2);
        map.forEach((key, value) -> {
          flat.add(key.bytes());
          flat.add(value);
        });
        ok(peer, request, Wire.packBinaries(flat));
      }
      case "dict.putAll" -> {
        List<byte[]> flat = Wire.unpackBinaries(bin(args));
        if (flat.size() % 2 != 0) {
          throw new IllegalArgumentException("dict.putAll takes keys and values in turn");
        }
        for (int i = 0; i < flat.size(); i += 2) {
          map.put(new Key(flat.get(i)), flat.get(i + 1));
        }
        ok(peer, request, null);
      }
      case "dict.getAll" -> {
        List<byte[]> keys = Wire.unpackBinaries(bin(args));
        List<byte[]> values = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
          values.add(map.get(new Key(key)));
        }
        ok(peer, request, packNullables(values));
      }
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation "
          + request.op());
    }
  }

  // ---- list, value and array ----

  private void list(Peer peer, Request request, ListObject list, MessageUnpacker args)
      throws IOException {
    List<byte[]> items = list.items;
    String op = request.op();
    boolean resizes = switch (op) {
      case "list.add", "list.insert", "list.removeAt", "list.remove", "list.clear",
          "list.addAll" -> true;
      default -> false;
    };
    if (resizes && !list.kind.equals("list")) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "shared " + list.kind + " " + list.name
          + " has a fixed size; " + op + " would change it");
      return;
    }
    switch (op) {
      case "list.get", "list.set", "list.all" -> ok(peer, request, readOrWrite(op, items, args));
      case "list.add" -> {
        items.add(bin(args));
        ok(peer, request, null);
      }
      case "list.insert" -> {
        int index = index(args, items.size(), true);
        items.add(index, bin(args));
        ok(peer, request, null);
      }
      case "list.removeAt" -> {
        int index = index(args, items.size(), false);
        ok(peer, request, items.remove(index));
      }
      case "list.remove" -> {
        int index = indexOf(items, bin(args));
        if (index >= 0) {
          items.remove(index);
        }
        ok(peer, request, bool(index >= 0));
      }
      case "list.indexOf" -> {
        int index = indexOf(items, bin(args));
        ok(peer, request, Wire.pack(packer -> packer.packInt(index)));
      }
      case "list.size" -> ok(peer, request, Wire.pack(packer -> packer.packInt(items.size())));
      case "list.clear" -> {
        items.clear();
        ok(peer, request, null);
      }
      case "list.addAll" -> {
        items.addAll(Wire.unpackBinaries(bin(args)));
        ok(peer, request, null);
      }
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation " + op);
    }
  }

  // ---- value and array with a lock ----

  /**
   * A read or write of a value or an array that has a lock, as Python's synchronized wrappers do
   * it: while another thread holds the lock it waits, in the lock's queue, and runs when the lock
   * is free; the holder's own reads and writes run at once.
   */
  private void value(Peer peer, Request request, ListObject list, MessageUnpacker args,
      long now) throws IOException {
    Owner owner = new Owner(peer, args.unpackLong());
    if (objects.get(list.name + "/lock") instanceof LockObject lock
        && lock.holder != null && !owner.equals(lock.holder)) {
      Waiter waiter = park(WaitKind.VALUE, peer, request, list, owner, now, -1);
      waiter.lock = lock;
      waiter.valueRequest = request;
      lock.waiters.addLast(waiter);
      return;
    }
    respond(peer, request, valueOp(request, list));
  }

  /**
   * Runs a value's or array's read or write, whose arguments are {@code [thread, index]},
   * {@code [thread, index, value]} or {@code [thread]}.
   */
  private static Reply valueOp(Request request, ListObject list) {
    List<byte[]> items = list.items;
    try (MessageUnpacker args = Wire.unpacker(request.args())) {
      args.unpackArrayHeader();
      args.unpackLong();
      return Reply.ok(request.requestId(), readOrWrite(request.op(), items, args));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return Reply.failed(request.requestId(), ErrorCode.BAD_REQUEST, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return Reply.failed(request.requestId(), ErrorCode.BAD_REQUEST, "malformed arguments for "
          + request.op() + ": " + e.getMessage());
    }
  }

  /** An item's get or set, or all items: the same for a list and for a value or array. */
  private static byte[] readOrWrite(String op, List<byte[]> items, MessageUnpacker args)
      throws IOException {
    return switch (op.substring(op.indexOf('.') + 1)) {
      case "get" -> items.get(index(args, items.size(), false));
      case "set" -> items.set(index(args, items.size(), false), bin(args));
      case "all" -> Wire.packBinaries(items);
      default -> throw new IllegalArgumentException("unknown operation " + op);
    };
  }

  private static int index(MessageUnpacker args, int size, boolean endAllowed)
      throws IOException {
    int index = args.unpackInt();
    if (index < 0 || index > size || (index == size && !endAllowed)) {
      throw new IndexOutOfBoundsException("index " + index + " out of bounds for length " + size);
    }
    return index;
  }

  private static int indexOf(List<byte[]> items, byte[] value) {
    for (int i = 0; i < items.size(); i++) {
      if (Arrays.equals(items.get(i), value)) {
        return i;
      }
    }
    return -1;
  }

  // ---- lock and rlock ----

  private void lock(Peer peer, Request request, LockObject lock, MessageUnpacker args, long now)
      throws IOException {
    Owner owner = new Owner(peer, args.unpackLong());
    switch (request.op()) {
      case "lock.acquire" -> {
        long timeout = timeout(args);
        lock.waiters.removeIf(waiter -> waiter.answered);
        if (lock.reentrant && owner.equals(lock.holder)) {
          lock.count++;
          ok(peer, request, bool(false));
        } else if (lock.holder == null && lock.waiters.isEmpty()) {
          lock.holder = owner;
          lock.count = 1;
          ok(peer, request, bool(lock.takeHolderDied()));
        } else if (timeout == 0) {
          fail(peer, request, ErrorCode.TIMEOUT, lock.kind + " " + lock.name + " is held");
        } else {
          Waiter waiter = park(WaitKind.LOCK, peer, request, lock, owner, now, timeout);
          waiter.restoreCount = 1;
          lock.waiters.addLast(waiter);
        }
      }
      case "lock.release" -> {
        if (lock.holder == null) {
          fail(peer, request, ErrorCode.NOT_ALLOWED, "release of unlocked " + lock.kind + " "
              + lock.name);
        } else if (lock.reentrant && !owner.equals(lock.holder)) {
          fail(peer, request, ErrorCode.NOT_ALLOWED, "only the thread that holds rlock "
              + lock.name + " may release it");
        } else {
          if (--lock.count <= 0 || !lock.reentrant) {
            lock.holder = null;
            lock.count = 0;
          }
          ok(peer, request, null);
          grant(lock);
        }
      }
      case "lock.state" -> ok(peer, request, Wire.pack(packer -> {
        packer.packArrayHeader(3);
        packer.packBoolean(lock.holder != null);
        packer.packInt(lock.count);
        packer.packBoolean(owner.equals(lock.holder));
      }));
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation "
          + request.op());
    }
  }

  /** Gives a free lock to the first waiter. */
  private void grant(LockObject lock) {
    while (lock.holder == null && !lock.waiters.isEmpty()) {
      Waiter next = lock.waiters.pollFirst();
      if (next.answered) {
        continue;
      }
      if (next.kind == WaitKind.VALUE) {
        forget(next);
        respond(next.peer, next.valueRequest, valueOp(next.valueRequest, (ListObject) next.object));
        continue;
      }
      lock.holder = next.owner;
      lock.count = next.restoreCount;
      answer(next, Reply.ok(next.requestId, next.kind == WaitKind.REACQUIRE
          ? bool(next.notified) : bool(lock.takeHolderDied())));
    }
  }

  // ---- semaphore and bounded semaphore ----

  private void semaphore(Peer peer, Request request, SemaphoreObject semaphore,
      MessageUnpacker args, long now) throws IOException {
    Owner owner = new Owner(peer, args.unpackLong());
    switch (request.op()) {
      case "sem.acquire" -> {
        int permits = permits(args);
        long timeout = timeout(args);
        if (semaphore.waiters.isEmpty() && semaphore.value >= permits) {
          semaphore.take(owner, permits);
          ok(peer, request, bool(semaphore.takeHolderDied()));
        } else if (timeout == 0) {
          fail(peer, request, ErrorCode.TIMEOUT, "semaphore " + semaphore.name + " has "
              + semaphore.value + " permits, fewer than " + permits);
        } else {
          Waiter waiter = park(WaitKind.SEMAPHORE, peer, request, semaphore, owner, now, timeout);
          waiter.permits = permits;
          semaphore.waiters.addLast(waiter);
          grant(semaphore);
        }
      }
      case "sem.release" -> {
        int permits = permits(args);
        if (semaphore.bound >= 0 && (long) semaphore.value + permits > semaphore.bound) {
          fail(peer, request, ErrorCode.NOT_ALLOWED, "bounded semaphore " + semaphore.name
              + " released too many times: its initial value is " + semaphore.bound);
          return;
        }
        semaphore.value += permits;
        semaphore.returned(owner, permits);
        ok(peer, request, null);
        grant(semaphore);
      }
      case "sem.value" -> ok(peer, request, Wire.pack(packer -> packer.packInt(semaphore.value)));
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation "
          + request.op());
    }
  }

  private static int permits(MessageUnpacker args) throws IOException {
    int permits = args.unpackInt();
    if (permits < 1) {
      throw new IllegalArgumentException("permits are 1 or more, got " + permits);
    }
    return permits;
  }

  private void grant(SemaphoreObject semaphore) {
    while (!semaphore.waiters.isEmpty() && semaphore.waiters.peekFirst().answered) {
      semaphore.waiters.pollFirst();
    }
    while (!semaphore.waiters.isEmpty()
        && semaphore.waiters.peekFirst().permits <= semaphore.value) {
      Waiter next = semaphore.waiters.pollFirst();
      semaphore.take(next.owner, next.permits);
      answer(next, Reply.ok(next.requestId, bool(semaphore.takeHolderDied())));
    }
  }

  // ---- condition ----

  private void condition(Peer peer, Request request, ConditionObject condition,
      MessageUnpacker args, long now) throws IOException {
    Owner owner = new Owner(peer, args.unpackLong());
    if (!(objects.get(condition.lockName) instanceof LockObject lock)) {
      fail(peer, request, ErrorCode.NO_SUCH_OBJECT, "the lock " + condition.lockName
          + " of condition " + condition.name + " was deleted");
      return;
    }
    if (request.op().equals("cond.waiters")) {
      ok(peer, request, Wire.pack(packer -> packer.packInt(condition.waiters.size())));
      return;
    }
    if (!owner.equals(lock.holder)) {
      fail(peer, request, ErrorCode.NOT_ALLOWED, request.op().substring(5) + " on condition "
          + condition.name + " needs its lock held by the calling thread");
      return;
    }
    switch (request.op()) {
      case "cond.wait" -> {
        long timeout = timeout(args);
        Waiter waiter = park(WaitKind.CONDITION, peer, request, condition, owner, now,
            timeout);
        waiter.lock = lock;
        waiter.restoreCount = lock.count;
        lock.holder = null;
        lock.count = 0;
        if (timeout == 0) {
          waiter.kind = WaitKind.REACQUIRE;
          lock.waiters.addLast(waiter);
        } else {
          condition.waiters.addLast(waiter);
        }
        grant(lock);
      }
      case "cond.notify" -> {
        int wanted = args.unpackInt();
        int woken = 0;
        while ((wanted < 0 || woken < wanted) && !condition.waiters.isEmpty()) {
          Waiter waiter = condition.waiters.pollFirst();
          waiter.kind = WaitKind.REACQUIRE;
          waiter.notified = true;
          lock.waiters.addLast(waiter);
          woken++;
        }
        int count = woken;
        ok(peer, request, Wire.pack(packer -> packer.packInt(count)));
      }
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation "
          + request.op());
    }
  }

  // ---- event ----

  private void event(Peer peer, Request request, EventObject event, MessageUnpacker args,
      long now) throws IOException {
    switch (request.op()) {
      case "event.set" -> {
        event.set = true;
        for (Waiter waiter = event.waiters.pollFirst(); waiter != null;
            waiter = event.waiters.pollFirst()) {
          answer(waiter, Reply.ok(waiter.requestId, bool(true)));
        }
        ok(peer, request, null);
      }
      case "event.clear" -> {
        event.set = false;
        ok(peer, request, null);
      }
      case "event.isSet" -> ok(peer, request, bool(event.set));
      case "event.wait" -> {
        long timeout = timeout(args);
        if (event.set || timeout == 0) {
          ok(peer, request, bool(event.set));
        } else {
          event.waiters.addLast(park(WaitKind.EVENT, peer, request, event, null, now, timeout));
        }
      }
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation "
          + request.op());
    }
  }

  // ---- barrier ----

  private void barrier(Peer peer, Request request, BarrierObject barrier, MessageUnpacker args,
      long now) throws IOException {
    switch (request.op()) {
      case "barrier.wait" -> {
        Owner owner = new Owner(peer, args.unpackLong());
        long timeout = timeout(args);
        if (barrier.broken) {
          fail(peer, request, ErrorCode.BROKEN, "barrier " + barrier.name + " is broken");
          return;
        }
        Waiter waiter = park(WaitKind.BARRIER, peer, request, barrier, owner, now, timeout);
        waiter.index = barrier.parties - 1 - barrier.arrived.size();
        barrier.arrived.add(waiter);
        if (barrier.arrived.size() == barrier.parties) {
          trip(barrier, waiter);
        } else if (timeout == 0) {
          breakBarrier(barrier, waiter, null);
        }
      }
      case "barrier.actionDone" -> {
        int generation = args.unpackInt();
        boolean succeeded = args.unpackBoolean();
        if (barrier.tripping != null && generation == barrier.trippingGeneration) {
          List<Waiter> released = barrier.tripping;
          barrier.tripping = null;
          barrier.actionRunner = null;
          if (succeeded) {
            for (Waiter waiter : released) {
              answer(waiter, arrival(waiter, null, generation));
            }
          } else {
            barrier.broken = true;
            for (Waiter waiter : released) {
              answer(waiter, Reply.failed(waiter.requestId, ErrorCode.BROKEN, "the action of"
                  + " barrier " + barrier.name + " failed"));
            }
          }
        }
        ok(peer, request, null);
      }
      case "barrier.reset" -> {
        breakBarrier(barrier, null, null);
        barrier.broken = false;
        ok(peer, request, null);
      }
      case "barrier.abort" -> {
        breakBarrier(barrier, null, null);
        ok(peer, request, null);
      }
      case "barrier.state" -> ok(peer, request, Wire.pack(packer -> {
        packer.packArrayHeader(3);
        packer.packInt(barrier.parties);
        packer.packInt(barrier.arrived.size());
        packer.packBoolean(barrier.broken);
      }));
      default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation "
          + request.op());
    }
  }

  /**
   * The last party arrived. Without an action every waiter goes on; with one, the last arriver
   * runs it first and the others go on when it reports back, as CyclicBarrier runs its action
   * before releasing anyone.
   */
  private void trip(BarrierObject barrier, Waiter last) {
    List<Waiter> released = barrier.arrived;
    int generation = barrier.generation++;
    barrier.arrived = new ArrayList<>();
    if (barrier.action == null) {
      for (Waiter waiter : released) {
        answer(waiter, arrival(waiter, null, generation));
      }
      return;
    }
    released.remove(last);
    barrier.tripping = released;
    barrier.trippingGeneration = generation;
    barrier.actionRunner = last.peer;
    answer(last, arrival(last, barrier.action, generation));
  }

  private static Reply arrival(Waiter waiter, byte[] action, int generation) {
    return Reply.ok(waiter.requestId, Wire.pack(packer -> {
      packer.packArrayHeader(3);
      packer.packInt(waiter.index);
      Wire.packNullableBinary(packer, action);
      packer.packInt(generation);
    }));
  }

  /**
   * Breaks a barrier for everyone waiting at it: the waiter that timed out is told so, one that
   * left is not answered, and every other is told the barrier broke.
   */
  private void breakBarrier(BarrierObject barrier, Waiter timedOut, Waiter left) {
    barrier.broken = true;
    List<Waiter> waiters = new ArrayList<>(barrier.arrived);
    if (barrier.tripping != null) {
      waiters.addAll(barrier.tripping);
    }
    barrier.arrived = new ArrayList<>();
    barrier.tripping = null;
    barrier.actionRunner = null;
    barrier.generation++;
    for (Waiter waiter : waiters) {
      if (waiter == timedOut) {
        answer(waiter, Reply.failed(waiter.requestId, ErrorCode.TIMEOUT, "barrier "
            + barrier.name + " timed out"));
      } else if (waiter == left) {
        forget(waiter);
      } else {
        answer(waiter, Reply.failed(waiter.requestId, ErrorCode.BROKEN, "barrier "
            + barrier.name + " is broken"));
      }
    }
  }

  // ---- registered types ----

  private void custom(Peer peer, Request request, CustomObject custom, MessageUnpacker args)
      throws IOException {
    if (!request.op().equals("custom.call")) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation " + request.op());
      return;
    }
    String methodName = args.unpackString();
    List<byte[]> callArgs = Wire.unpackBinaries(bin(args));
    Object result;
    Method method;
    try {
      method = (Method) find(custom.instance.getClass().getMethods(), methodName,
          callArgs.size(), custom.typeName);
      result = method.invoke(custom.instance, decodeArguments(method, callArgs,
          custom.typeName));
    } catch (TypeCallException e) {
      fail(peer, request, e.code, e.getMessage());
      return;
    } catch (InvocationTargetException e) {
      // The caller gets the remote class, message and stack trace, as from a task.
      Throwable cause = e.getCause();
      replies.accept(peer, new Reply(request.requestId(), ErrorCode.TASK_FAILED,
          Slice.of(Wire.pack(packer -> io.mp4j.protocol.RemoteError.of(cause).pack(packer))),
          custom.typeName + "." + methodName + " threw " + cause).encode());
      return;
    } catch (IllegalAccessException e) {
      fail(peer, request, ErrorCode.NOT_ALLOWED, "cannot call " + custom.typeName + "."
          + methodName + ": " + e.getMessage());
      return;
    }
    if (method.getReturnType() == void.class) {
      ok(peer, request, null);
      return;
    }
    try {
      ok(peer, request, Wire.pack(packer -> Codec.write(packer, result)));
    } catch (CodecException e) {
      fail(peer, request, ErrorCode.ENCODING, "the result of " + custom.typeName + "."
          + methodName + " cannot be encoded: " + e.getMessage());
    }
  }

  /** A failed call of a registered type, with the code its caller gets. */
  private static final class TypeCallException extends RuntimeException {
    final ErrorCode code;

    TypeCallException(ErrorCode code, String message) {
      super(message);
      this.code = code;
    }
  }

  private static Executable find(Executable[] candidates, String methodName, int arity,
      String typeName) {
    for (Executable candidate : candidates) {
      boolean named = methodName == null || candidate.getName().equals(methodName);
      if (named && candidate.getParameterCount() == arity
          && !Modifier.isStatic(candidate.getModifiers())
          && (!(candidate instanceof Method method)
              || method.getDeclaringClass() != Object.class)) {
        return candidate;
      }
    }
    throw new TypeCallException(ErrorCode.TASK_NOT_RESOLVED, "registered type " + typeName
        + " has no public " + (methodName == null ? "constructor" : "method " + methodName)
        + " with " + arity + " parameters");
  }

  private static Object[] decodeArguments(Executable target, List<byte[]> encoded,
      String typeName) {
    Type[] types = target.getGenericParameterTypes();
    Object[] decoded = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      byte[] value = encoded.get(i);
      try (MessageUnpacker in = Wire.unpacker(value)) {
        decoded[i] = Codec.reader(types[i]).read(in, value);
      } catch (IOException | RuntimeException e) {
        throw new TypeCallException(ErrorCode.ENCODING, "argument " + (i + 1) + " of "
            + typeName + "." + target.getName() + " does not decode into "
            + types[i].getTypeName() + ": " + e.getMessage());
      }
    }
    return decoded;
  }

  private static Object construct(Constructor<?> constructor, List<byte[]> args,
      String typeName) {
    try {
      return constructor.newInstance(decodeArguments(constructor, args, typeName));
    } catch (InvocationTargetException e) {
      throw new TypeCallException(ErrorCode.TASK_FAILED, "the constructor of " + typeName
          + " threw " + e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new TypeCallException(ErrorCode.NOT_ALLOWED, "cannot make a " + typeName + ": "
          + e.getMessage());
    }
  }

  // ---- deadlines and departures ----

  /** Answers or moves on every waiter whose deadline has passed. */
  void expire(long now) {
    while (!deadlines.isEmpty() && deadlines.peek().deadline - now <= 0) {
      Waiter waiter = deadlines.poll();
      if (!waiter.answered && waiter.kind != WaitKind.REACQUIRE) {
        withdraw(waiter);
      }
    }
  }

  /** The nearest deadline of a waiter, or Long.MAX_VALUE when none has one. */
  long nextDeadline() {
    while (!deadlines.isEmpty() && (deadlines.peek().answered
        || deadlines.peek().kind == WaitKind.REACQUIRE)) {
      deadlines.poll();
    }
    return deadlines.isEmpty() ? Long.MAX_VALUE : deadlines.peek().deadline;
  }

  /**
   * A process left or was declared dead: its waits end unanswered, what it held is given back
   * (the next holder is told), a barrier it waited at breaks, and what it made without a name
   * is deleted.
   */
  void peerGone(Peer peer) {
    for (Waiter waiter : new ArrayList<>(waiting.values())) {
      if (waiter.peer != peer || waiter.answered) {
        continue;
      }
      switch (waiter.kind) {
        case LOCK, REACQUIRE, VALUE -> {
          waiter.lock().waiters.remove(waiter);
          forget(waiter);
        }
        case SEMAPHORE -> {
          ((SemaphoreObject) waiter.object).waiters.remove(waiter);
          forget(waiter);
        }
        case EVENT -> {
          ((EventObject) waiter.object).waiters.remove(waiter);
          forget(waiter);
        }
        case CONDITION -> {
          ((ConditionObject) waiter.object).waiters.remove(waiter);
          forget(waiter);
        }
        case BARRIER -> breakBarrier((BarrierObject) waiter.object, null, waiter);
      }
    }
    for (Managed object : new ArrayList<>(objects.values())) {
      if (object instanceof LockObject lock && lock.holder != null && lock.holder.peer == peer) {
        lock.holder = null;
        lock.count = 0;
        lock.holderDied = true;
        grant(lock);
      } else if (object instanceof SemaphoreObject semaphore) {
        int held = semaphore.forget(peer);
        if (held > 0) {
          semaphore.value += held;
          semaphore.holderDied = true;
          grant(semaphore);
        }
      } else if (object instanceof BarrierObject barrier && barrier.actionRunner == peer) {
        breakBarrier(barrier, null, null);
      }
    }
    for (Managed object : new ArrayList<>(objects.values())) {
      if (object.owner == peer) {
        delete(object);
      }
    }
  }

  // ---- plumbing ----

  private Waiter park(WaitKind kind, Peer peer, Request request, Managed object, Owner owner,
      long now, long timeout) {
    Waiter waiter = new Waiter(kind, peer, request.requestId(), object, owner,
        timeout < 0 ? Long.MAX_VALUE : now + timeout * 1_000_000L);
    waiting.put(new RequestKey(peer, request.requestId()), waiter);
    if (waiter.deadline != Long.MAX_VALUE) {
      deadlines.add(waiter);
    }
    return waiter;
  }

  private void answer(Waiter waiter, Reply reply) {
    forget(waiter);
    replies.accept(waiter.peer, reply.encode());
  }

  private void forget(Waiter waiter) {
    waiter.answered = true;
    waiting.remove(new RequestKey(waiter.peer, waiter.requestId));
  }

  private static long timeout(MessageUnpacker args) throws IOException {
    long timeout = args.unpackLong();
    if (timeout < -1) {
      throw new IllegalArgumentException("a timeout is 0 or more milliseconds (or -1 for none),"
          + " got " + timeout);
    }
    return timeout;
  }

  private static Key key(MessageUnpacker args) throws IOException {
    return new Key(bin(args));
  }

  private static byte[] bin(MessageUnpacker args) throws IOException {
    return args.readPayload(args.unpackBinaryHeader());
  }

  private static byte[] bool(boolean value) {
    return value ? new byte[] {(byte) 0xc3} : new byte[] {(byte) 0xc2};
  }

  private static byte[] packNullables(List<byte[]> values) {
    int size = 8;
    for (byte[] value : values) {
      size += value == null ? 1 : value.length + 5;
    }
    return Wire.pack(size, packer -> {
      packer.packArrayHeader(values.size());
      for (byte[] value : values) {
        Wire.packNullableBinary(packer, value);
      }
    });
  }

  /** Sends a reply, unless it is a success for a quiet request. */
  private void respond(Peer peer, Request request, Reply reply) {
    if (reply.error() != null || !request.quiet()) {
      replies.accept(peer, reply.encode());
    }
  }

  private void ok(Peer peer, Request request, byte[] payload) {
    if (request.quiet()) {
      return; // a quiet request is answered only when it fails
    }
    replies.accept(peer, Reply.ok(request.requestId(), payload).encode());
  }

  private void fail(Peer peer, Request request, ErrorCode code, String message) {
    replies.accept(peer, Reply.failed(request.requestId(), code, message).encode());
  }

  // ---- the objects ----

  private enum WaitKind { LOCK, SEMAPHORE, CONDITION, REACQUIRE, EVENT, BARRIER, VALUE }

  /** A parked request: who waits, for what, until when. */
  private static final class Waiter {
    WaitKind kind;
    final Peer peer;
    final long requestId;
    final Managed object;
    final Owner owner;
    final long deadline;
    int permits;
    /** How many times the lock is held again when a condition waiter gets it back. */
    int restoreCount;
    /** The lock a condition waiter gives up and takes back. */
    LockObject lock;
    boolean notified;
    int index;
    boolean answered;
    /** A value's read or write that waits for the value's lock to be free, to run then. */
    Request valueRequest;

    Waiter(WaitKind kind, Peer peer, long requestId, Managed object, Owner owner,
        long deadline) {
      this.kind = kind;
      this.peer = peer;
      this.requestId = requestId;
      this.object = object;
      this.owner = owner;
      this.deadline = deadline;
    }

    LockObject lock() {
      return lock != null ? lock : (LockObject) object;
    }
  }

  private abstract static class Managed {
    final String name;
    final String kind;
    /** The process that made it without a name, or null for a named object. */
    Peer owner;
    /** What opening it answers: the settings a second opener must follow. */
    byte[] info = NO_INFO;

    Managed(String name, String kind) {
      this.name = name;
      this.kind = kind;
    }

    /** Whether operations of a family ({@code dict}, {@code lock}...) apply to it. */
    abstract boolean answers(String family);
  }

  private static final class DictObject extends Managed {
    final Map<Key, byte[]> map = new LinkedHashMap<>();

    DictObject(String name, String kind) {
      super(name, kind);
    }

    @Override
    boolean answers(String family) {
      return family.equals("dict");
    }
  }

  private static final class ListObject extends Managed {
    final List<byte[]> items = new ArrayList<>();

    ListObject(String name, String kind) {
      super(name, kind);
    }

    @Override
    boolean answers(String family) {
      return family.equals("list") || (family.equals("value") && !kind.equals("list"));
    }
  }

  private static final class LockObject extends Managed {
    final boolean reentrant;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    Owner holder;
    int count;
    boolean holderDied;

    LockObject(String name, String kind) {
      super(name, kind);
      this.reentrant = kind.equals("rlock");
    }

    @Override
    boolean answers(String family) {
      return family.equals("lock");
    }

    boolean takeHolderDied() {
      boolean died = holderDied;
      holderDied = false;
      return died;
    }
  }

  private static final class SemaphoreObject extends Managed {
    final int bound;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Permits taken and not yet given back, by taker, oldest first. */
    final LinkedHashMap<Owner, Integer> held = new LinkedHashMap<>();
    int value;
    boolean holderDied;

    SemaphoreObject(String name, int value, int bound) {
      super(name, "semaphore");
      this.value = value;
      this.bound = bound;
    }

    @Override
    boolean answers(String family) {
      return family.equals("sem");
    }

    void take(Owner owner, int permits) {
      value -= permits;
      held.merge(owner, permits, Integer::sum);
    }

    /**
     * Counts permits given back: first against what the releaser holds, then against the oldest
     * holders, since a semaphore may be released by a process other than the one that took it.
     */
    void returned(Owner releaser, int permits) {
      int left = settle(releaser, permits);
      for (Iterator<Owner> it = held.keySet().iterator(); left > 0 && it.hasNext(); ) {
        Owner holder = it.next();
        int had = held.get(holder);
        int settled = Math.min(had, left);
        left -= settled;
        if (had == settled) {
          it.remove();
        } else {
          held.put(holder, had - settled);
        }
      }
    }

    private int settle(Owner owner, int permits) {
      Integer had = held.get(owner);
      if (had == null) {
        return permits;
      }
      int settled = Math.min(had, permits);
      if (had == settled) {
        held.remove(owner);
      } else {
        held.put(owner, had - settled);
      }
      return permits - settled;
    }

    /** Drops what a process that left holds; returns how many permits that was. */
    int forget(Peer peer) {
      int total = 0;
      for (Iterator<Map.Entry<Owner, Integer>> it = held.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Owner, Integer> entry = it.next();
        if (entry.getKey().peer() == peer) {
          total += entry.getValue();
          it.remove();
        }
      }
      return total;
    }

    boolean takeHolderDied() {
      boolean died = holderDied;
      holderDied = false;
      return died;
    }
  }

  private static final class ConditionObject extends Managed {
    final String lockName;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    ConditionObject(String name, String lockName) {
      super(name, "condition");
      this.lockName = lockName;
    }

    @Override
    boolean answers(String family) {
      return family.equals("cond");
    }
  }

  private static final class EventObject extends Managed {
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    boolean set;

    EventObject(String name) {
      super(name, "event");
    }

    @Override
    boolean answers(String family) {
      return family.equals("event");
    }
  }

  private static final class BarrierObject extends Managed {
    final int parties;
    /** The encoded task the last arriver runs before the others go on, or null. */
    final byte[] action;
    List<Waiter> arrived = new ArrayList<>();
    /** Waiters released once the action of their trip is done, or null. */
    List<Waiter> tripping;
    int trippingGeneration;
    Peer actionRunner;
    int generation;
    boolean broken;

    BarrierObject(String name, int parties, byte[] action) {
      super(name, "barrier");
      this.parties = parties;
      this.action = action;
    }

    @Override
    boolean answers(String family) {
      return family.equals("barrier");
    }
  }

  private static final class CustomObject extends Managed {
    final String typeName;
    final Object instance;

    CustomObject(String name, String typeName, Object instance) {
      super(name, "custom");
      this.typeName = typeName;
      this.instance = instance;
    }

    @Override
    boolean answers(String family) {
      return family.equals("custom");
    }
  }
}
