package io.mp4j;

import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.codec.ValueReader;
import io.mp4j.protocol.task.ResolvedTask;
import io.mp4j.protocol.task.TaskDescriptor;
import io.mp4j.protocol.task.TaskResolutionException;
import java.lang.reflect.Type;

/**
 * A user's task with what each backend needs: a direct call for the threads backend, and for
 * process backends the encoded descriptor and the reader for its declared result type.
 */
final class TaskFunction {
  /** Calls the user's task directly with one call's arguments. */
  @FunctionalInterface
  interface LocalCall {
    Object call(Object[] args) throws Exception;
  }

  /** What can be kept per task class: the descriptor when it captures nothing, and the reader. */
  private record Cached(byte[] descriptor, ValueReader resultReader) {}

  private static final ClassValue<Cached[]> CACHE = new ClassValue<>() {
    @Override
    protected Cached[] computeValue(Class<?> type) {
      return new Cached[1];
    }
  };

  private final Object task;
  private final int arity;
  private final LocalCall localCall;
  private byte[] descriptor;
  private ValueReader resultReader;

  private TaskFunction(Object task, int arity, LocalCall localCall) {
    this.task = java.util.Objects.requireNonNull(task, "task");
    this.arity = arity;
    this.localCall = localCall;
  }

  @SuppressWarnings("unchecked")
  static TaskFunction of(Task0<?> task) {
    return new TaskFunction(task, 0, args -> task.apply());
  }

  @SuppressWarnings("unchecked")
  static <T> TaskFunction of(Task<T, ?> task) {
    return new TaskFunction(task, 1, args -> task.apply((T) args[0]));
  }

  @SuppressWarnings("unchecked")
  static <A, B> TaskFunction of(Task2<A, B, ?> task) {
    return new TaskFunction(task, 2, args -> task.apply((A) args[0], (B) args[1]));
  }

  @SuppressWarnings("unchecked")
  static <A, B, C> TaskFunction of(Task3<A, B, C, ?> task) {
    return new TaskFunction(task, 3, args -> task.apply((A) args[0], (B) args[1], (C) args[2]));
  }

  static TaskFunction ofVoid(VoidTask0 task) {
    return new TaskFunction(task, 0, args -> {
      task.apply();
      return null;
    });
  }

  @SuppressWarnings("unchecked")
  static <T> TaskFunction ofVoid(VoidTask<T> task) {
    return new TaskFunction(task, 1, args -> {
      task.apply((T) args[0]);
      return null;
    });
  }

  @SuppressWarnings("unchecked")
  static <A, B> TaskFunction ofVoid(VoidTask2<A, B> task) {
    return new TaskFunction(task, 2, args -> {
      task.apply((A) args[0], (B) args[1]);
      return null;
    });
  }

  @SuppressWarnings("unchecked")
  static <A, B, C> TaskFunction ofVoid(VoidTask3<A, B, C> task) {
    return new TaskFunction(task, 3, args -> {
      task.apply((A) args[0], (B) args[1], (C) args[2]);
      return null;
    });
  }

  int arity() {
    return arity;
  }

  Object call(Object[] args) throws Exception {
    return localCall.call(args);
  }

  /**
   * The encoded descriptor, made on first use.
   *
   * @throws EncodingException when the task cannot be sent
   */
  byte[] descriptor() {
    if (descriptor == null) {
      prepare();
    }
    return descriptor;
  }

  /** The reader for results, made on first use. */
  ValueReader resultReader() {
    if (resultReader == null) {
      prepare();
    }
    return resultReader;
  }

  private void prepare() {
    Cached[] slot = CACHE.get(task.getClass());
    Cached cached = slot[0];
    if (cached != null && cached.descriptor() != null) {
      descriptor = cached.descriptor();
      resultReader = cached.resultReader();
      return;
    }
    TaskDescriptor described;
    try {
      described = TaskDescriptor.of(task, arity, "apply");
    } catch (CodecException e) {
      throw new EncodingException(e.getMessage(), e);
    }
    descriptor = described.encode();
    if (cached != null) {
      resultReader = cached.resultReader();
      return;
    }
    Type resultType;
    try {
      resultType = ResolvedTask.resultType(described, task.getClass().getClassLoader());
    } catch (TaskResolutionException e) {
      resultType = Object.class;
    }
    // A void method's call yields null, which the reader for Object reads.
    resultReader = Codec.reader(resultType == void.class ? Object.class : resultType);
    slot[0] = new Cached(described.capturesNothing() ? descriptor : null, resultReader);
  }
}
