package io.mp4j.examples;

import io.mp4j.Array;
import io.mp4j.Context;
import io.mp4j.Lock;
import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.SharedDict;
import io.mp4j.SharedList;
import io.mp4j.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.IntStream;

/**
 * The seed programs that share state between processes, as Python writes them with
 * {@code multiprocessing}: a Value and an Array changed by a child process; ten processes
 * printing under one Lock; a child filling a Manager's dict and reversing its list. The values
 * are printed as Python prints them.
 */
public final class SharedStateExamples {
  private SharedStateExamples() {}

  /** Python's {@code f(n, a)}: sets the value and negates every element of the array. */
  public static void negate(Value<Double> number, Array<Integer> array) {
    number.set(3.1415927);
    for (int i = 0; i < array.length(); i++) {
      array.set(i, -array.get(i));
    }
  }

  /** Python's {@code f(l, i)}: prints while holding the lock. */
  public static void greet(Lock lock, Integer number) {
    lock.lock();
    try {
      System.out.println("hello world " + number);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Python's {@code f(d, l)}: fills the dict and reverses the list. The seed also sets
   * {@code d[0.25] = None}; a {@link java.util.concurrent.ConcurrentMap} holds no null values,
   * so the port leaves that entry out.
   */
  public static void fill(SharedDict<Object, Object> dict, SharedList<Integer> list) {
    dict.put(1, "1");
    dict.put("2", 2);
    List<Integer> reversed = new ArrayList<>(list);
    Collections.reverse(reversed);
    for (int i = 0; i < reversed.size(); i++) {
      list.set(i, reversed.get(i));
    }
  }

  /**
   * Runs the three seed programs.
   *
   * @param args unused
   * @throws InterruptedException when interrupted while joining a process
   */
  public static void main(String[] args) throws InterruptedException {
    try (Context context = Context.local()) {
      Value<Double> number = context.value(Double.class, 0.0);
      Array<Integer> array = context.array(Integer.class,
          IntStream.range(0, 10).boxed().toList(), true);
      Process process = context.process(SharedStateExamples::negate, number, array);
      process.start();
      process.join();
      System.out.println(python(number.get()));
      System.out.println(python(array.toList()));

      Lock lock = context.lock();
      List<Process> greeters = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Process greeter = context.process(SharedStateExamples::greet, lock, i);
        greeter.start();
        greeters.add(greeter);
      }
      int clean = 0;
      for (Process greeter : greeters) {
        greeter.join();
        clean += greeter.exitCode() == 0 ? 1 : 0;
      }
      System.out.println(clean + " processes greeted under the lock");
    }

    try (Manager manager = Manager.start()) {
      SharedDict<Object, Object> dict = manager.dict(Object.class, Object.class);
      SharedList<Integer> list = manager.list(Integer.class,
          IntStream.range(0, 10).boxed().toList());
      Process process = manager.context().process(SharedStateExamples::fill, dict, list);
      process.start();
      process.join();
      System.out.println(python(dict));
      System.out.println(python(list.snapshot()));
    }
  }

  /** A value as Python's {@code print} shows it. */
  static String python(Object value) {
    if (value instanceof String text) {
      return "'" + text + "'";
    }
    if (value instanceof List<?> items) {
      StringJoiner joined = new StringJoiner(", ", "[", "]");
      items.forEach(item -> joined.add(python(item)));
      return joined.toString();
    }
    if (value instanceof Map<?, ?> map) {
      StringJoiner joined = new StringJoiner(", ", "{", "}");
      map.forEach((key, item) -> joined.add(python(key) + ": " + python(item)));
      return joined.toString();
    }
    return String.valueOf(value);
  }
}
