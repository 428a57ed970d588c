package io.mp4j.examples;

import io.mp4j.Connection;
import io.mp4j.Context;
import io.mp4j.Pipe;
import io.mp4j.Process;
import io.mp4j.Queue;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed programs that use Process, Queue and Pipe, as Python writes them with
 * {@code multiprocessing}: three worker processes joined; a producer and a consumer with a
 * poison pill; a parent and a child talking over a pipe; several producers and consumers on one
 * queue.
 */
public final class ProcessesAndQueues {
  /** Python's None as a poison pill: a value no producer sends otherwise. */
  static final int POISON_PILL = -1;

  private ProcessesAndQueues() {}

  /** A worker process: says who it is. */
  public static void greet(int number) {
    System.out.println("worker " + number + " in " + Process.currentName() + " (pid "
        + Process.currentPid() + ")");
  }

  /** Puts {@code count} numbers, then the poison pill. */
  public static void produce(Queue<Integer> queue, int count) throws InterruptedException {
    for (int i = 1; i <= count; i++) {
      queue.put(i);
    }
    queue.put(POISON_PILL);
  }

  /** Takes numbers until the poison pill and reports their sum. */
  public static void consume(Queue<Integer> queue, Queue<String> report)
      throws InterruptedException {
    int sum = 0;
    int count = 0;
    for (int item = queue.take(); item != POISON_PILL; item = queue.take()) {
      sum += item;
      count++;
    }
    report.put(Process.currentName() + " consumed " + count + " items, sum " + sum);
  }

  /** The child end of a pipe: answers each message until the parent closes its end. */
  public static void child(Connection<String> end) throws InterruptedException {
    try {
      while (true) {
        String message = end.recv();
        end.send("child got '" + message + "'");
      }
    } catch (EOFException e) {
      end.close();
    }
  }

  /**
   * Runs the four seed programs.
   *
   * @param args unused
   * @throws InterruptedException when interrupted
   * @throws EOFException when the child closes the pipe early
   */
  public static void main(String[] args) throws InterruptedException, EOFException {
    try (Context context = Context.local()) {
      System.out.println("== three worker processes");
      List<Process> workers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        workers.add(context.process(ProcessesAndQueues::greet, i));
      }
      workers.forEach(Process::start);
      for (Process worker : workers) {
        worker.join();
        System.out.println(worker.name() + " exit code " + worker.exitCode());
      }

      System.out.println("== producer and consumer with a poison pill");
      Queue<Integer> queue = context.queue(Integer.class);
      Queue<String> report = context.queue(String.class);
      Process producer = context.process(ProcessesAndQueues::produce, queue, 10);
      Process consumer = context.process(ProcessesAndQueues::consume, queue, report);
      producer.start();
      consumer.start();
      producer.join();
      consumer.join();
      System.out.println(report.take());

      System.out.println("== pipe between a parent and a child");
      Pipe<String> pipe = context.pipe(String.class);
      Process child = context.process(ProcessesAndQueues::child, pipe.second());
      child.start();
      for (String message : List.of("hello", "world")) {
        pipe.first().send(message);
        System.out.println("parent got: " + pipe.first().recv());
      }
      pipe.first().close();
      child.join();

      System.out.println("== several producers and consumers on one queue");
      Queue<Integer> shared = context.queue(Integer.class, 20);
      List<Process> team = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        team.add(context.process(ProcessesAndQueues::produce, shared, 100));
      }
      for (int i = 0; i < 3; i++) {
        team.add(context.process(ProcessesAndQueues::consume, shared, report));
      }
      team.forEach(Process::start);
      for (Process member : team) {
        member.join();
      }
      for (int i = 0; i < 3; i++) {
        System.out.println(report.take());
      }
    }
  }
}
