package io.mp4j;

/** What tests look at to tell that a thread has begun to wait for a broker's reply. */
final class Waiting {
  private Waiting() {}

  /**
   * Whether the thread waits for a reply: parked, or running its connection's event loop, which
   * a caller that waits for its reply does itself (see {@link ClientConnection#drive}).
   */
  static boolean forReply(Thread thread) {
    Thread.State state = thread.getState();
    if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
      return true;
    }
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().equals(ClientConnection.class.getName())
          && frame.getMethodName().equals("drive")) {
        return true;
      }
    }
    return false;
  }
}
