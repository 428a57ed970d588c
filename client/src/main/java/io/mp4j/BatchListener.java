package io.mp4j;

/** Receives the outcome of the calls of a {@link Batch}, possibly in several parts. */
interface BatchListener {
  /**
   * Some calls finished.
   *
   * @param offset the index within the batch of the first call reported
   * @param values the results, null where the call failed
   * @param errors null when every call succeeded, else the failure of each failed call
   */
  void completed(int offset, Object[] values, Mp4jException[] errors);
}
