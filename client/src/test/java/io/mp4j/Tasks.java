package io.mp4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Tasks the tests send to workers; static so that workers find them by name. */
final class Tasks {
  private Tasks() {}

  /** Set by the pool initializer in each worker process. */
  static volatile int initialized;
  static volatile String initializedWith;

  enum Color { RED, GREEN }

  record Point(int x, int y) {}

  /** A bean with a no-argument constructor, getters and setters. */
  public static final class Account {
    private String owner;
    private long cents;

    public Account() {}

    Account(String owner, long cents) {
      this.owner = owner;
      this.cents = cents;
    }

    public String getOwner() {
      return owner;
    }

    public void setOwner(String owner) {
      this.owner = owner;
    }

    public long getCents() {
      return cents;
    }

    public void setCents(long cents) {
      this.cents = cents;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Account a && a.cents == cents && a.owner.equals(owner);
    }

    @Override
    public int hashCode() {
      return owner.hashCode() * 31 + Long.hashCode(cents);
    }
  }

  /** A task class with state, sent by its fields. */
  public static final class Multiply implements Task<Integer, Integer> {
    private int factor;

    public Multiply() {}

    Multiply(int factor) {
      this.factor = factor;
    }

    public int getFactor() {
      return factor;
    }

    public void setFactor(int factor) {
      this.factor = factor;
    }

    @Override
    public Integer apply(Integer value) {
      return value * factor;
    }
  }

  static int square(int x) {
    return x * x;
  }

  static long add(long a, long b) {
    return a + b;
  }

  static String join3(String a, int b, boolean c) {
    return a + b + c;
  }

  static int failOnSeven(int x) {
    if (x == 7) {
      throw new IllegalArgumentException("seven is not allowed");
    }
    return x;
  }

  static int sleepThenReturn(int millis) throws InterruptedException {
    // The task's work is to run for a known time, to time out a get or to be held when its
    // worker is killed or frozen; it waits for no condition.
    Thread.sleep(millis); // a fixed pause is the thing under test
    return millis;
  }

  static long sleepThenPid(int millis) throws InterruptedException {
    sleepThenReturn(millis);
    return ProcessHandle.current().pid();
  }

  static long pid(int ignored) {
    return ProcessHandle.current().pid();
  }

  /** The worker JVM's initial and maximum heap, in MiB. */
  static List<Long> heapMebibytes(int ignored) {
    long init = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
        .getInit();
    return List.of(init >> 20, Runtime.getRuntime().maxMemory() >> 20);
  }

  static int initializedCount(int ignored) {
    return initialized;
  }

  static String initializedArgument(int ignored) {
    return initializedWith;
  }

  static Integer initialize() {
    return ++initialized;
  }

  static void initializeWith(String value) {
    initialized++;
    initializedWith = value;
  }

  static int haltOnMinusOne(int x) {
    if (x == -1) {
      Runtime.getRuntime().halt(3);
    }
    return x;
  }

  static byte[] reverse(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }

  static int[] doubleAll(int[] values) {
    int[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] *= 2;
    }
    return out;
  }

  static List<Point> mirror(List<Point> points) {
    List<Point> out = new ArrayList<>();
    for (Point p : points) {
      out.add(new Point(p.y(), p.x()));
    }
    return out;
  }

  static Map<String, Integer> lengths(Set<String> words) {
    Map<String, Integer> out = new TreeMap<>();
    for (String word : words) {
      out.put(word, word.length());
    }
    return out;
  }

  static Set<String> keys(Map<String, Integer> map) {
    return new TreeSet<>(map.keySet());
  }

  static Color next(Color color) {
    return color == Color.RED ? Color.GREEN : Color.RED;
  }

  static Account deposit(Account account) {
    return new Account(account.getOwner(), account.getCents() + 100);
  }

  static double half(double x) {
    return x / 2;
  }

  static String upper(String s) {
    return s == null ? null : s.toUpperCase();
  }

  static Object unencodable(int x) {
    return new Object();
  }

  static int printAndReturn(String marker) {
    System.out.println(marker);
    System.err.println(marker + "-err");
    return marker.length();
  }

  static int produce(Queue<String> queue, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      queue.put("item-" + i);
    }
    return count;
  }

  static int consumeUntilStop(JoinableQueue<Integer> queue, int unused)
      throws InterruptedException {
    int sum = 0;
    for (Integer item = queue.take(); item >= 0; item = queue.take()) {
      sum += item;
      queue.taskDone();
    }
    queue.taskDone();
    return sum;
  }

  static int echoUpper(Connection<String> end) throws InterruptedException {
    int count = 0;
    try {
      while (true) {
        end.send(end.recv().toUpperCase());
        count++;
      }
    } catch (java.io.EOFException e) {
      end.close();
    }
    return count;
  }

  static int putSquares(SimpleQueue<Integer> queue, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      queue.put(i * i);
    }
    return count;
  }

  static Integer exitWith(int code) {
    Process.exit(code);
    return code;
  }

  static Integer failInProcess() {
    throw new IllegalStateException("the process failed on purpose");
  }

  static void reportName(Queue<String> names) throws InterruptedException {
    names.put(Process.currentName() + "@" + Process.currentPid());
  }

  static void putTwice(Queue<String> into, String item) throws InterruptedException {
    into.put(item);
    into.put(item);
  }

  static void putJoined(Queue<String> into, String first, int second) throws InterruptedException {
    into.put(first + second);
  }

  static Integer produceUntilPill(Queue<Integer> queue, int count) throws InterruptedException {
    for (int i = 1; i <= count; i++) {
      queue.put(i);
    }
    return 0;
  }

  static Integer sumUntilPill(Queue<Integer> queue, Queue<Integer> sums)
      throws InterruptedException {
    int sum = 0;
    for (int item = queue.take(); item != -1; item = queue.take()) {
      sum += item;
    }
    sums.put(sum);
    return 0;
  }

  static Integer nothing() {
    return 0;
  }

  static int putKibibytes(Queue<byte[]> queue, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      byte[] item = new byte[1024];
      item[0] = (byte) i;
      queue.put(item);
    }
    return count;
  }

  static int takeOne(Queue<Integer> queue) throws InterruptedException {
    return queue.take();
  }

  static int takeUntilPill(Queue<Integer> queue) throws InterruptedException {
    int count = 0;
    while (queue.take() != -1) {
      count++;
    }
    return count;
  }
}
