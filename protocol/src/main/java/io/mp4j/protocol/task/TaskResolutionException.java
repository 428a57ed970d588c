package io.mp4j.protocol.task;

/**
 * A task descriptor names code that this JVM cannot find or call. Not for users: the client turns
 * it into its public {@code TaskNotFoundException}.
 */
public final class TaskResolutionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what is missing and what to change. */
  public TaskResolutionException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a message that says what is missing and what to change. */
  public TaskResolutionException(String message) {
    super(message);
  }
}
