package io.mp4j.protocol.codec;

/**
 * A value could not be encoded or decoded. Not for users: the client turns it into its public
 * {@code EncodingException}.
 */
public final class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the type and what to change. */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a message that names the type and what to change. */
  public CodecException(String message) {
    super(message);
  }
}
