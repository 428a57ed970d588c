package io.mp4j;

/** Tasks that use Manager objects, run in worker processes by the Manager tests. */
public final class ManagerTasks {
  private ManagerTasks() {}

  /** A barrier's action: records each trip in a named list of the broker the task runs on. */
  public static Object recordTrip() {
    TRIPS.add("tripped");
    return null;
  }

  /** Trips recorded in this JVM, where the last party to arrive runs the action. */
  static final java.util.List<String> TRIPS = new java.util.concurrent.CopyOnWriteArrayList<>();
}
