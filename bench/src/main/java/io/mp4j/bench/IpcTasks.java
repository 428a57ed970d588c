package io.mp4j.bench;

import io.mp4j.Connection;
import io.mp4j.Queue;
import java.io.EOFException;

/** What the processes of the queue, pipe and process benchmarks run. */
final class IpcTasks {
  private IpcTasks() {}

  static Integer produceInts(Queue<Integer> queue, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      queue.put(i);
    }
    return count;
  }

  static Integer produceKibibytes(Queue<byte[]> queue, int count) throws InterruptedException {
    byte[] item = new byte[1024];
    for (int i = 0; i < count; i++) {
      queue.put(item);
    }
    return count;
  }

  /** Sends back every message until the other end closes. */
  static Integer echo(Connection<Integer> end) throws InterruptedException {
    int count = 0;
    try {
      while (true) {
        end.send(end.recv());
        count++;
      }
    } catch (EOFException e) {
      end.close();
    }
    return count;
  }

  /** Receives {@code count} messages, then answers once. */
  static Integer receiveThenAnswer(Connection<Integer> end, int count)
      throws InterruptedException, EOFException {
    for (int i = 0; i < count; i++) {
      end.recv();
    }
    end.send(count);
    return count;
  }

  static Integer nothing() {
    return 0;
  }
}
