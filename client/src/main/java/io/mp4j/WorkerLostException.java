package io.mp4j;

/**
 * The worker processes that held a task died or stopped answering too many times (three by default). The message names the last worker and how it was lost. The pool goes on serving other tasks.
 */
public final class WorkerLostException extends Mp4jException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   */
  public WorkerLostException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   * @param cause the underlying failure
   */
  public WorkerLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
