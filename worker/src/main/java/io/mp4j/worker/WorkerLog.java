package io.mp4j.worker;

/**
 * The worker package's logger, made on first use: the first {@code System.Logger} of a JVM starts
 * java.util.logging, which cost a fresh worker JVM some 30 ms before its first task.
 */
final class WorkerLog {
  static final System.Logger LOG = System.getLogger("io.mp4j.worker");

  private WorkerLog() {}
}
