package io.mp4j;

import java.util.List;

/**
 * A client program for {@link RemoteOutputTest}: connects to a standalone broker, runs tasks that
 * print, and says DONE once their results are back.
 */
public final class RemoteOutputMain {
  private RemoteOutputMain() {}

  public static void main(String[] args) {
    try (Pool pool = Pool.connect(args[0], args[1])) {
      pool.map(Tasks::printAndReturn, List.of("remote-marker-a", "remote-marker-b"), 1);
      pool.apply(RemoteOutputMain::printLongLine, 20_000);
      System.out.println("DONE");
    }
  }

  static int printLongLine(int length) {
    System.out.println("long-line-" + "x".repeat(length));
    return length;
  }
}
