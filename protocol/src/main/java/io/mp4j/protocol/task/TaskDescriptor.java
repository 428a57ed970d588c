package io.mp4j.protocol.task;

import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import java.io.IOException;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.msgpack.core.MessageUnpacker;

/**
 * A task as it travels: the name of the code to run and the values it captured, never its bytes.
 *
 * <p>A serializable lambda or method reference is described by its implementation method, read
 * from the {@link SerializedLambda} that the compiler provides (the lambda is not serialized; only
 * its descriptor is read), as Python pickles a function by its qualified name. An object that
 * implements a task interface is described by its class and its fields, written as a bean. The
 * receiving side looks the names up on its own classpath ({@link ResolvedTask}). Not for users.
 *
 * @param kind how to call the code
 * @param className the class that holds the code
 * @param methodName the method to call ({@code <init>} for a constructor)
 * @param methodType the method's JVM descriptor, or null for {@link Kind#OBJECT}
 * @param arity how many arguments each call passes, after the captured ones
 * @param captured for lambdas a msgpack array of the captured values; for objects their fields
 */
public record TaskDescriptor(
    Kind kind, String className, String methodName, String methodType, int arity,
    byte[] captured) {

  /** How the receiving side calls the code. */
  public enum Kind {
    /** A static method; lambda bodies are static methods of the class that wrote them. */
    STATIC,
    /** An instance method whose receiver is the first captured value or the first argument. */
    VIRTUAL,
    /** A constructor reference. */
    CONSTRUCTOR,
    /** The task interface's method on an object rebuilt from its fields. */
    OBJECT
  }

  private static final byte[] NO_CAPTURES = {(byte) 0x90};

  /**
   * Describes a task object: a serializable lambda, a method reference, or an instance of a
   * top-level or static nested class that implements a task interface.
   *
   * @param task the task
   * @param arity how many arguments a call passes
   * @param interfaceMethod the task interface's method name, called on task objects
   * @throws CodecException when the task cannot be sent, saying what to change
   */
  public static TaskDescriptor of(Object task, int arity, String interfaceMethod) {
    Class<?> type = task.getClass();
    SerializedLambda lambda = serializedLambda(task, type);
    if (lambda != null) {
      return ofLambda(lambda, arity);
    }
    if (type.isSynthetic() || type.isHidden()) {
      throw new CodecException(
          "the lambda " + type.getName() + " is not serializable: declare it as an mp4j task type"
              + " (Task, Task0, Task2, Task3, or VoidTask and its kin) so it can be sent by name");
    }
    if (type.isAnonymousClass() || type.isLocalClass()
        || (type.isMemberClass() && !Modifier.isStatic(type.getModifiers()))) {
      throw new CodecException(
          "the task class " + type.getName() + " is anonymous, local or an inner class; a worker"
              + " cannot create it. Use a method reference, a lambda, or a top-level or static"
              + " nested class");
    }
    return new TaskDescriptor(
        Kind.OBJECT, type.getName(), interfaceMethod, null, arity, Codec.encodeState(task));
  }

  private static SerializedLambda serializedLambda(Object task, Class<?> type) {
    try {
      Method writeReplace = type.getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
      Object replacement = writeReplace.invoke(task);
      return replacement instanceof SerializedLambda lambda ? lambda : null;
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new CodecException("cannot read the lambda " + type.getName() + ": " + e, e);
    }
  }

  private static TaskDescriptor ofLambda(SerializedLambda lambda, int arity) {
    Kind kind =
        switch (lambda.getImplMethodKind()) {
          case MethodHandleInfo.REF_invokeStatic -> Kind.STATIC;
          case MethodHandleInfo.REF_newInvokeSpecial -> Kind.CONSTRUCTOR;
          default -> Kind.VIRTUAL;
        };
    byte[] captured = NO_CAPTURES;
    int count = lambda.getCapturedArgCount();
    if (count > 0) {
      captured =
          Wire.pack(
              packer -> {
                packer.packArrayHeader(count);
                for (int i = 0; i < count; i++) {
                  Object value = lambda.getCapturedArg(i);
                  try {
                    Codec.write(packer, value);
                  } catch (CodecException e) {
                    throw new CodecException(uncapturable(lambda) + " " + e.getMessage(), e);
                  }
                }
              });
    }
    return new TaskDescriptor(
        kind,
        lambda.getImplClass().replace('/', '.'),
        lambda.getImplMethodName(),
        lambda.getImplMethodSignature(),
        arity,
        captured);
  }

  /**
   * What to change when a lambda captures, or a method reference is bound to, a value that cannot
   * travel.
   */
  private static String uncapturable(SerializedLambda lambda) {
    String owner = lambda.getImplClass().replace('/', '.');
    String method = lambda.getImplMethodName();
    if (method.startsWith("lambda$")) {
      return "a lambda in " + owner + " captures a value that cannot be sent; capture only values"
          + " mp4j can encode.";
    }
    return "the method reference " + owner + "::" + method + " is bound to an object that cannot"
        + " be sent; refer to a static method, or to a method of an object mp4j can encode.";
  }

  /** Whether this descriptor carries no captured state, so equal ones can share a resolution. */
  public boolean capturesNothing() {
    return kind != Kind.OBJECT && captured.length == 1 && captured[0] == NO_CAPTURES[0];
  }

  /** A name for error messages: the class and method, or the class for task objects. */
  public String displayName() {
    if (methodName.startsWith("lambda$")) {
      return "lambda in " + className;
    }
    return kind == Kind.OBJECT ? className : className + "::" + methodName;
  }

  /** Encodes this descriptor. */
  public byte[] encode() {
    return Wire.pack(
        packer -> {
          packer.packArrayHeader(6);
          packer.packInt(kind.ordinal());
          packer.packString(className);
          packer.packString(methodName);
          Wire.packNullableString(packer, methodType);
          packer.packInt(arity);
          packer.packBinaryHeader(captured.length);
          packer.writePayload(captured);
        });
  }

  /**
   * Decodes bytes written by {@link #encode}.
   *
   * @throws IOException when the bytes are not a descriptor
   */
  public static TaskDescriptor decode(byte[] bytes) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(bytes)) {
      if (unpacker.unpackArrayHeader() != 6) {
        throw new IOException("a task descriptor is an array of 6");
      }
      int kind = unpacker.unpackInt();
      if (kind < 0 || kind >= Kind.values().length) {
        throw new IOException("unknown task kind " + kind);
      }
      return new TaskDescriptor(
          Kind.values()[kind],
          unpacker.unpackString(),
          unpacker.unpackString(),
          Wire.unpackNullableString(unpacker),
          unpacker.unpackInt(),
          unpacker.readPayload(unpacker.unpackBinaryHeader()));
    } catch (RuntimeException e) {
      throw new IOException("malformed task descriptor: " + e.getMessage(), e);
    }
  }
}
