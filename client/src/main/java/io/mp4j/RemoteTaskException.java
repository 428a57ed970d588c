package io.mp4j;

/**
 * A task threw. Its cause is a {@link RemoteTraceback} that carries the remote exception's class
 * name, message and stack trace, so the remote source line shows when the exception is printed.
 * Tasks that throw are not retried.
 */
public final class RemoteTaskException extends Mp4jException {
  private static final long serialVersionUID = 1L;

  /** The class name of the exception the task threw. */
  private final String remoteClassName;

  RemoteTaskException(RemoteTraceback remote) {
    super(remote.getMessage(), remote);
    this.remoteClassName = remote.className();
  }

  /**
   * The class name of the exception the task threw, such as
   * {@code java.lang.ArithmeticException}.
   *
   * @return the remote exception's class name
   */
  public String remoteClassName() {
    return remoteClassName;
  }
}
