package io.mp4j;

/** Where a pool's batches run: worker processes through a broker, or threads in this JVM. */
interface Backend {
  /** How many workers serve the pool now, for default chunk sizes. */
  int processes();

  /**
   * Starts a batch; its listener hears of each call's outcome.
   *
   * @param callerWaits whether the calling thread waits for the outcome next (see
   *     {@link #helpUntil}), so that nothing needs to be woken to send the batch
   * @throws EncodingException when an argument or the task cannot be encoded
   */
  void execute(Batch batch, boolean callerWaits);

  /**
   * Called by a thread about to wait for a result: the backend may have it do its own I/O until
   * the result is done or the deadline passes, so that the result reaches it without a hand-over
   * between threads. Returning early is always allowed; the thread then waits as usual.
   *
   * @param result the result waited for
   * @param deadlineNanos a {@link System#nanoTime} deadline, or {@code Long.MAX_VALUE}
   */
  default void helpUntil(java.util.concurrent.Future<?> result, long deadlineNanos) {}

  /** The thread that runs the callbacks of this pool's results, one at a time. */
  java.util.concurrent.Executor callbacks();

  /** Stops all work at once and releases every resource; outstanding batches fail. */
  void terminate();

  /** Releases the resources after all batches finished; called by {@link Pool#join}. */
  void stop();
}
