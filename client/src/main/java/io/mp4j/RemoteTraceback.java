package io.mp4j;

import io.mp4j.protocol.RemoteError;

/**
 * An exception that happened in another process, rebuilt from its class name, message and stack
 * frames (Python's {@code RemoteTraceback}). It is the cause of a {@link RemoteTaskException}; its
 * own cause is the remote exception's cause.
 */
public final class RemoteTraceback extends Exception {
  private static final long serialVersionUID = 1L;

  /** The class name of the remote exception. */
  private final String className;

  RemoteTraceback(RemoteError error) {
    super(error.toString(), error.cause() == null ? null : new RemoteTraceback(error.cause()));
    this.className = error.className();
    setStackTrace(error.stackTrace().toArray(new StackTraceElement[0]));
  }

  /**
   * The remote exception's class name.
   *
   * @return the class name, such as {@code java.lang.IllegalStateException}
   */
  public String className() {
    return className;
  }

  @Override
  public String toString() {
    return "(remote) " + getMessage();
  }
}
