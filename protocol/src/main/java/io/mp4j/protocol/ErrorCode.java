package io.mp4j.protocol;

/**
 * Why a task or a message failed. Carried in {@link MessageType#ERROR} messages and in the error
 * entries of result frames. Not for users: the client turns each code into its own exception.
 */
public enum ErrorCode {
  /** The task's code threw; never retried. */
  TASK_FAILED(1),
  /** The worker could not find or call the task (class, method, argument types). */
  TASK_NOT_RESOLVED(2),
  /** A value could not be encoded or decoded. */
  ENCODING(3),
  /** The worker holding the task died or stopped answering, too many times. */
  WORKER_LOST(4),
  /** A message could not be parsed. */
  MALFORMED(5),
  /** A message was larger than the broker's limit. */
  TOO_LARGE(6),
  /** The authkey was missing or wrong. */
  AUTHENTICATION(7),
  /** The peer must say HELLO before anything else. */
  NOT_CONNECTED(8),
  /** A message type that this peer may not send, or an unknown one. */
  UNKNOWN_TYPE(9),
  /** The worker refuses tasks from this package. */
  NOT_ALLOWED(10),
  /** A get found the queue empty when it had to answer (Python's Empty). */
  EMPTY(11),
  /** A put found the queue full when it had to answer (Python's Full). */
  FULL(12),
  /** The shared object does not exist, or no longer does. */
  NO_SUCH_OBJECT(13),
  /** A request that cannot be carried out as asked: a bad argument or a misuse. */
  BAD_REQUEST(14),
  /** A wait that had a timeout ran out of time. */
  TIMEOUT(15),
  /** A barrier was broken: a waiter timed out, left or aborted it, or its action failed. */
  BROKEN(16);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /** The number that stands for this code on the wire. */
  public int code() {
    return code;
  }

  /** The code for a number, or {@link #MALFORMED} for a number no code has. */
  public static ErrorCode of(int code) {
    for (ErrorCode value : values()) {
      if (value.code == code) {
        return value;
      }
    }
    return MALFORMED;
  }
}
