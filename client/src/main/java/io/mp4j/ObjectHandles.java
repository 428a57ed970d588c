package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.HandleFactory;
import io.mp4j.protocol.codec.SharedHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import org.msgpack.core.MessageUnpacker;

/**
 * Rebuilds a proxy to a Manager object that arrived in a task (or inside another shared value),
 * bound to the receiving side's channel; element types come from the declared parameter type
 * ({@code SharedDict<String, Integer>}). Found by the protocol's codec through
 * {@link java.util.ServiceLoader}.
 */
public final class ObjectHandles implements HandleFactory {
  static final String CUSTOM = "custom";

  /** Made by {@link java.util.ServiceLoader}. */
  public ObjectHandles() {}

  @Override
  public String kind() {
    return SharedObject.HANDLE_KIND;
  }

  @Override
  public Object create(SharedHandle.Ref ref, Type declaredType, BrokerChannel channel) {
    String kind;
    byte[] info;
    boolean withLock;
    try (MessageUnpacker in = Wire.unpacker(ref.settings())) {
      in.unpackArrayHeader();
      kind = in.unpackString();
      info = in.readPayload(in.unpackBinaryHeader());
      withLock = in.unpackBoolean();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String name = ref.name();
    return switch (kind) {
      case SharedDict.KIND -> new SharedDict<>(channel, name, SharedDict.KIND,
          typeArgument(declaredType, 0), typeArgument(declaredType, 1));
      case SharedList.KIND -> new SharedList<>(channel, name, typeArgument(declaredType, 0));
      case Namespace.KIND -> new Namespace(channel, name);
      case Value.KIND -> new Value<>(channel, name, typeArgument(declaredType, 0), withLock);
      case Array.KIND -> new Array<>(channel, name, typeArgument(declaredType, 0), info,
          withLock);
      case Lock.KIND -> new Lock(channel, name, Lock.KIND);
      case RLock.KIND -> new RLock(channel, name);
      case Semaphore.KIND -> SharedObjects.bounded(info)
          ? new BoundedSemaphore(channel, name, info) : new Semaphore(channel, name, info);
      case Condition.KIND -> condition(channel, name, info);
      case Event.KIND -> new Event(channel, name);
      case Barrier.KIND -> new Barrier(channel, name, info);
      case CUSTOM -> custom(channel, name, info, declaredType);
      default -> throw new IllegalArgumentException("no shared object kind " + kind);
    };
  }

  /** A condition proxy with a proxy to its lock, as the broker described them. */
  static Condition condition(BrokerChannel channel, String name, byte[] info) {
    try (MessageUnpacker in = Wire.unpacker(info)) {
      in.unpackArrayHeader();
      String lockName = in.unpackString();
      String lockKind = in.unpackString();
      Lock lock = lockKind.equals(RLock.KIND) ? new RLock(channel, lockName)
          : new Lock(channel, lockName, Lock.KIND);
      return new Condition(channel, name, info, lock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object custom(BrokerChannel channel, String name, byte[] info, Type declared) {
    Class<?> api = declared instanceof Class<?> type ? type
        : declared instanceof ParameterizedType parameterized
            && parameterized.getRawType() instanceof Class<?> raw ? raw : null;
    if (api == null || !api.isInterface()) {
      throw new IllegalArgumentException("a proxy to a registered type arrives as an interface"
          + " that the type's methods match; declare the parameter as one, not as "
          + declared.getTypeName());
    }
    return Proxy.newProxyInstance(api.getClassLoader(),
        new Class<?>[] {api, SharedHandle.class},
        new CustomProxy(new SharedObject(channel, name, CUSTOM, info)));
  }

  private static Type typeArgument(Type declared, int index) {
    return declared instanceof ParameterizedType parameterized
        && parameterized.getActualTypeArguments().length > index
        ? parameterized.getActualTypeArguments()[index] : Object.class;
  }
}
