package io.mp4j;

/**
 * The root of mp4j's exceptions, as {@code ProcessError} is of Python's multiprocessing. All are
 * unchecked; {@link AsyncResult#get()} wraps them in an {@code ExecutionException}.
 */
public class Mp4jException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and, where it helps, what to change
   * @param cause the underlying failure, or null
   */
  public Mp4jException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and, where it helps, what to change
   */
  public Mp4jException(String message) {
    super(message);
  }
}
