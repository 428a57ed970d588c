package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.HandleFactory;
import io.mp4j.protocol.codec.SharedHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import org.msgpack.core.MessageUnpacker;

/**
 * Rebuilds a queue, simple queue or pipe end that arrived in a task, bound to the worker's connection; its item type comes
 * from the task's declared parameter type ({@code Queue<String>}). Found by the protocol's codec
 * through {@link java.util.ServiceLoader}.
 */
public class QueueHandles implements HandleFactory {
  /** Made by {@link java.util.ServiceLoader}. */
  public QueueHandles() {}

  @Override
  public String kind() {
    return Queue.KIND;
  }

  /** Rebuilds simple queues. */
  public static final class Simple extends QueueHandles {
    @Override
    public String kind() {
      return SimpleQueue.KIND;
    }

    @Override
    public Object create(SharedHandle.Ref ref, Type declaredType, BrokerChannel channel) {
      @SuppressWarnings({"unchecked", "rawtypes"})
      SimpleQueue<?> simple = new SimpleQueue((Queue<?>) super.create(ref, declaredType,
          channel));
      return simple;
    }
  }

  /** Rebuilds pipe ends. */
  public static final class PipeEnd implements HandleFactory {
    @Override
    public String kind() {
      return Connection.KIND;
    }

    @Override
    public Object create(SharedHandle.Ref ref, Type declaredType, BrokerChannel channel) {
      try (MessageUnpacker in = Wire.unpacker(ref.settings())) {
        String outbox = in.unpackString();
        return new Connection<>(channel, ref.name().isEmpty() ? null : ref.name(),
            outbox.isEmpty() ? null : outbox, itemType(declaredType));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static Type itemType(Type declaredType) {
    return declaredType instanceof ParameterizedType parameterized
        && parameterized.getActualTypeArguments().length == 1
        ? parameterized.getActualTypeArguments()[0] : Object.class;
  }

  @Override
  public Object create(SharedHandle.Ref ref, Type declaredType, BrokerChannel channel) {
    Type itemType = itemType(declaredType);
    try (MessageUnpacker in = Wire.unpacker(ref.settings())) {
      in.unpackArrayHeader();
      int maxSize = in.unpackInt();
      boolean joinable = in.unpackBoolean();
      return joinable ? new JoinableQueue<>(channel, ref.name(), itemType, maxSize)
          : new Queue<>(channel, ref.name(), itemType, maxSize, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
