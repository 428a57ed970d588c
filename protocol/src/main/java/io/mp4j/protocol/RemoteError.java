package io.mp4j.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageUnpacker;

/**
 * An exception as it travels from a worker to a client: class name, message, stack frames and
 * cause, with no Java serialization. Not for users: the client turns it into its own exception.
 *
 * @param className the remote exception's class name
 * @param message the remote exception's message, or null
 * @param stackTrace the remote stack frames
 * @param cause the remote cause, or null
 */
public record RemoteError(
    String className, String message, List<StackTraceElement> stackTrace, RemoteError cause) {

  private static final int MAX_CAUSES = 8;

  /** Captures a throwable and its causes. */
  public static RemoteError of(Throwable error) {
    return of(error, 0);
  }

  private static RemoteError of(Throwable error, int depth) {
    Throwable cause = error.getCause();
    return new RemoteError(
        error.getClass().getName(),
        error.getMessage(),
        List.of(error.getStackTrace()),
        cause != null && cause != error && depth < MAX_CAUSES ? of(cause, depth + 1) : null);
  }

  /** An error that happened outside user code, with no stack worth sending. */
  public static RemoteError plain(String className, String message) {
    return new RemoteError(className, message, List.of(), null);
  }

  /** Writes this error as one msgpack value. */
  public void pack(MessageBufferPacker packer) throws IOException {
    packer.packArrayHeader(4);
    packer.packString(className);
    Wire.packNullableString(packer, message);
    packer.packArrayHeader(stackTrace.size());
    for (StackTraceElement frame : stackTrace) {
      packer.packArrayHeader(4);
      packer.packString(frame.getClassName());
      packer.packString(frame.getMethodName());
      Wire.packNullableString(packer, frame.getFileName());
      packer.packInt(frame.getLineNumber());
    }
    if (cause == null) {
      packer.packNil();
    } else {
      cause.pack(packer);
    }
  }

  /** Reads an error written by {@link #pack}. */
  public static RemoteError unpack(MessageUnpacker unpacker) throws IOException {
    unpacker.unpackArrayHeader();
    String className = unpacker.unpackString();
    String message = Wire.unpackNullableString(unpacker);
    int frames = unpacker.unpackArrayHeader();
    List<StackTraceElement> stack = new ArrayList<>(frames);
    for (int i = 0; i < frames; i++) {
      unpacker.unpackArrayHeader();
      String declaring = unpacker.unpackString();
      String method = unpacker.unpackString();
      String file = Wire.unpackNullableString(unpacker);
      int line = unpacker.unpackInt();
      stack.add(new StackTraceElement(declaring, method, file, line));
    }
    RemoteError cause = unpacker.tryUnpackNil() ? null : unpack(unpacker);
    return new RemoteError(className, message, stack, cause);
  }

  @Override
  public String toString() {
    return message == null ? className : className + ": " + message;
  }
}
