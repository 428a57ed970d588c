package io.mp4j;

/**
 * The broker refused the authkey.
 */
public final class AuthenticationException extends BrokerException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   */
  public AuthenticationException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   * @param cause the underlying failure
   */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
