package io.mp4j;

/**
 * A worker could not find or call a task: its class is not on the worker's classpath, its method differs, or the worker does not allow its package.
 */
public final class TaskNotFoundException extends Mp4jException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   */
  public TaskNotFoundException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   * @param cause the underlying failure
   */
  public TaskNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
