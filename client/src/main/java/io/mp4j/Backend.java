package io.mp4j;

/** Where a pool's batches run: worker processes through a broker, or threads in this JVM. */
interface Backend {
  /** How many workers serve the pool now, for default chunk sizes. */
  int processes();

  /**
   * Starts a batch; its listener hears of each call's outcome.
   *
   * @throws EncodingException when an argument or the task cannot be encoded
   */
  void execute(Batch batch);

  /** The thread that runs the callbacks of this pool's results, one at a time. */
  java.util.concurrent.Executor callbacks();

  /** Stops all work at once and releases every resource; outstanding batches fail. */
  void terminate();

  /** Releases the resources after all batches finished; called by {@link Pool#join}. */
  void stop();
}
