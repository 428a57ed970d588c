package io.mp4j;

/**
 * The broker refused a message, or could not be reached, or was lost. The message says which and why.
 */
public class BrokerException extends Mp4jException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   */
  public BrokerException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   * @param cause the underlying failure
   */
  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
