package io.mp4j;

/**
 * A value could not be encoded or decoded: an argument, a captured value, a result, or a task object's fields. The message names the type and what mp4j can send.
 */
public final class EncodingException extends Mp4jException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   */
  public EncodingException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to change
   * @param cause the underlying failure
   */
  public EncodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
