package io.mp4j.protocol.task;

import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.codec.ValueReader;
import java.io.IOException;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.msgpack.core.MessageUnpacker;

/**
 * A task descriptor looked up on this JVM's classpath: a method handle to call, a reader for each
 * argument's declared type and the declared result type. Both sides resolve: the worker to call
 * the task, the client to learn the result type it decodes into. Not for users.
 */
public final class ResolvedTask {
  /** Calls the code with the captured values and one call's arguments, in order. */
  @FunctionalInterface
  private interface Invoker {
    Object invoke(Object[] arguments) throws ReflectiveOperationException;
  }

  private final TaskDescriptor descriptor;
  private final Invoker invoker;
  private final Object[] captured;
  private final ValueReader[] argumentReaders;
  private final Type resultType;

  private ResolvedTask(
      TaskDescriptor descriptor, Invoker invoker, Object[] captured,
      ValueReader[] argumentReaders, Type resultType) {
    this.descriptor = descriptor;
    this.invoker = invoker;
    this.captured = captured;
    this.argumentReaders = argumentReaders;
    this.resultType = resultType;
  }

  /**
   * Looks a descriptor up and binds its captured values.
   *
   * @throws TaskResolutionException when the class or method is missing or does not fit
   * @throws CodecException when a captured value does not decode into its declared type
   */
  public static ResolvedTask resolve(TaskDescriptor descriptor, ClassLoader loader) {
    Class<?> owner;
    try {
      owner = Class.forName(descriptor.className(), true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new TaskResolutionException(
          "class " + descriptor.className() + " is not on this worker's classpath: start the"
              + " worker with the jar that holds it", e);
    }
    try {
      return switch (descriptor.kind()) {
        case STATIC, VIRTUAL -> forMethod(descriptor, owner, findMethod(descriptor, owner, loader));
        case CONSTRUCTOR -> forConstructor(descriptor, owner, loader);
        case OBJECT -> forObject(descriptor, owner);
      };
    } catch (RuntimeException e) {
      if (e instanceof TaskResolutionException || e instanceof CodecException) {
        throw e;
      }
      throw new TaskResolutionException(
          "cannot call " + descriptor.displayName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The declared result type of the code a descriptor names, without binding captured values or
   * rebuilding a task object; the client decodes results into it.
   *
   * @throws TaskResolutionException when the class or method is missing
   */
  public static Type resultType(TaskDescriptor descriptor, ClassLoader loader) {
    Class<?> owner;
    try {
      owner = Class.forName(descriptor.className(), false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new TaskResolutionException("class " + descriptor.className() + " not found", e);
    }
    return switch (descriptor.kind()) {
      case STATIC, VIRTUAL -> findMethod(descriptor, owner, loader).getGenericReturnType();
      case CONSTRUCTOR -> owner;
      case OBJECT -> {
        for (Method candidate : owner.getMethods()) {
          if (candidate.getName().equals(descriptor.methodName())
              && candidate.getParameterCount() == descriptor.arity() && !candidate.isBridge()
              && !Modifier.isStatic(candidate.getModifiers())
              && !candidate.getDeclaringClass().isInterface()) {
            yield candidate.getGenericReturnType();
          }
        }
        yield Object.class;
      }
    };
  }

  private static Method findMethod(TaskDescriptor descriptor, Class<?> owner, ClassLoader loader) {
    MethodType wanted = methodType(descriptor, loader);
    for (Method method : owner.getDeclaredMethods()) {
      if (method.getName().equals(descriptor.methodName())
          && Arrays.equals(method.getParameterTypes(), wanted.parameterArray())
          && method.getReturnType() == wanted.returnType()) {
        return method;
      }
    }
    throw new TaskResolutionException(
        "method " + descriptor.methodName() + descriptor.methodType() + " not found in "
            + owner.getName() + ": the worker's copy of the class differs from the client's;"
            + " give both the same jar");
  }

  private static MethodType methodType(TaskDescriptor descriptor, ClassLoader loader) {
    try {
      return MethodType.fromMethodDescriptorString(descriptor.methodType(), loader);
    } catch (TypeNotPresentException | IllegalArgumentException e) {
      throw new TaskResolutionException(
          "a type in " + descriptor.displayName() + descriptor.methodType()
              + " is not on this worker's classpath", e);
    }
  }

  private static ResolvedTask forMethod(TaskDescriptor descriptor, Class<?> owner,
      Method method) {
    method.setAccessible(true);
    List<Type> parameters = new ArrayList<>();
    if (!Modifier.isStatic(method.getModifiers())) {
      parameters.add(owner);
    }
    parameters.addAll(Arrays.asList(genericParameters(method)));
    Invoker invoker;
    if (Modifier.isStatic(method.getModifiers())) {
      invoker = arguments -> method.invoke(null, arguments);
    } else {
      invoker = arguments -> method.invoke(arguments[0],
          Arrays.copyOfRange(arguments, 1, arguments.length));
    }
    return bind(descriptor, invoker, parameters, method.getGenericReturnType());
  }

  private static ResolvedTask forConstructor(
      TaskDescriptor descriptor, Class<?> owner, ClassLoader loader) {
    MethodType wanted = methodType(descriptor, loader);
    Constructor<?> constructor;
    try {
      constructor = owner.getDeclaredConstructor(wanted.parameterArray());
    } catch (NoSuchMethodException e) {
      throw new TaskResolutionException(
          "constructor " + descriptor.methodType() + " not found in " + owner.getName(), e);
    }
    constructor.setAccessible(true);
    return bind(descriptor, constructor::newInstance,
        Arrays.asList(genericParameters(constructor)), owner);
  }

  private static ResolvedTask forObject(TaskDescriptor descriptor, Class<?> owner) {
    Method method = null;
    for (Method candidate : owner.getMethods()) {
      if (candidate.getName().equals(descriptor.methodName())
          && candidate.getParameterCount() == descriptor.arity()
          && !candidate.isBridge()
          && !Modifier.isStatic(candidate.getModifiers())
          && (method == null || method.getDeclaringClass().isInterface())) {
        method = candidate;
      }
    }
    if (method == null) {
      throw new TaskResolutionException(
          owner.getName() + " has no public method " + descriptor.methodName() + " with "
              + descriptor.arity() + " arguments");
    }
    method.setAccessible(true);
    Object instance = Codec.decodeState(descriptor.captured(), owner);
    Method call = method;
    return wrap(descriptor, arguments -> call.invoke(instance, arguments), new Object[0],
        Arrays.asList(genericParameters(method)), method.getGenericReturnType());
  }

  /** Generic parameter types, falling back to the erased ones where the compiler kept none. */
  private static Type[] genericParameters(Executable executable) {
    Type[] generic = executable.getGenericParameterTypes();
    return generic.length == executable.getParameterCount()
        ? generic : executable.getParameterTypes();
  }

  private static ResolvedTask bind(
      TaskDescriptor descriptor, Invoker invoker, List<Type> parameters, Type resultType) {
    Object[] captured = readCaptured(descriptor, parameters);
    return wrap(descriptor, invoker, captured,
        parameters.subList(captured.length, parameters.size()), resultType);
  }

  private static Object[] readCaptured(TaskDescriptor descriptor, List<Type> parameters) {
    byte[] bytes = descriptor.captured();
    try (MessageUnpacker in = io.mp4j.protocol.Wire.unpacker(bytes)) {
      int count = in.unpackArrayHeader();
      if (count > parameters.size()) {
        throw new TaskResolutionException(
            descriptor.displayName() + " captures " + count + " values but takes "
                + parameters.size() + " parameters");
      }
      Object[] values = new Object[count];
      for (int i = 0; i < count; i++) {
        values[i] = Codec.reader(parameters.get(i)).read(in, bytes);
      }
      return values;
    } catch (IOException | RuntimeException e) {
      if (e instanceof TaskResolutionException) {
        throw (TaskResolutionException) e;
      }
      throw new CodecException(
          "cannot decode the values captured by " + descriptor.displayName() + ": "
              + e.getMessage(), e);
    }
  }

  private static ResolvedTask wrap(TaskDescriptor descriptor, Invoker invoker,
      Object[] captured, List<Type> arguments, Type resultType) {
    if (arguments.size() != descriptor.arity()) {
      throw new TaskResolutionException(
          descriptor.displayName() + " takes " + arguments.size() + " arguments, but each call"
              + " passes " + descriptor.arity());
    }
    ValueReader[] readers = new ValueReader[arguments.size()];
    for (int i = 0; i < readers.length; i++) {
      readers[i] = Codec.reader(arguments.get(i));
    }
    return new ResolvedTask(descriptor, invoker, captured, readers, resultType);
  }

  /** The descriptor this was resolved from. */
  public TaskDescriptor descriptor() {
    return descriptor;
  }

  /** The declared result type, generic where the code declares it so. */
  public Type resultType() {
    return resultType;
  }

  /** How many arguments a call takes. */
  public int arity() {
    return argumentReaders.length;
  }

  /**
   * Reads one call's arguments: the value itself when the task takes one argument, else a
   * msgpack array of {@link #arity()} values. Returns {@code reuse} filled in when it has the
   * right length, so that the task thread need not allocate an array per call.
   *
   * @throws IOException when the values do not fit the declared types
   */
  public Object[] readArguments(MessageUnpacker in, byte[] source, Object[] reuse)
      throws IOException {
    Object[] args = reuse != null && reuse.length == argumentReaders.length ? reuse
        : new Object[argumentReaders.length];
    if (argumentReaders.length == 1) {
      args[0] = argumentReaders[0].read(in, source);
      return args;
    }
    int count = in.unpackArrayHeader();
    if (count != argumentReaders.length) {
      throw new IOException(
          descriptor.displayName() + " takes " + argumentReaders.length + " arguments, got "
              + count);
    }
    for (int i = 0; i < count; i++) {
      args[i] = argumentReaders[i].read(in, source);
    }
    return args;
  }

  /**
   * Calls the task.
   *
   * @throws Throwable whatever the task throws
   */
  public Object invoke(Object[] args) throws Throwable {
    Object[] all = args;
    if (captured.length > 0) {
      all = new Object[captured.length + args.length];
      System.arraycopy(captured, 0, all, 0, captured.length);
      System.arraycopy(args, 0, all, captured.length, args.length);
    }
    try {
      return invoker.invoke(all);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
