package io.mp4j.worker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one worker process. Not for users: the {@code worker} command and the client's
 * local Pool build it.
 */
public final class WorkerConfig {
  private String brokerAddress;
  private byte[] authkey;
  private boolean encrypt = true;
  private boolean forwardOutput;
  private String name = "worker";
  private int maxTasks;
  private List<String> allowedPackages = List.of();
  private boolean exitOnBrokerLoss;
  private Duration brokerTimeout = Duration.ofSeconds(5);

  /** The broker's endpoint, such as {@code tcp://host:5555}. */
  public WorkerConfig brokerAddress(String value) {
    this.brokerAddress = Objects.requireNonNull(value, "brokerAddress");
    return this;
  }

  /** The broker's authkey, or null when it has none. */
  public WorkerConfig authkey(byte[] value) {
    this.authkey = value == null ? null : value.clone();
    return this;
  }

  /**
   * Whether a TCP connection with an authkey uses CurveZMQ (the default); off for the workers of
   * a local pool, whose broker listens on loopback for them alone.
   */
  public WorkerConfig encrypt(boolean value) {
    this.encrypt = value;
    return this;
  }

  /**
   * Whether what tasks print goes to their client too (a remote daemon's workers); a local
   * pool's workers share the client's console already.
   */
  public WorkerConfig forwardOutput(boolean value) {
    this.forwardOutput = value;
    return this;
  }

  /** A name for status and error messages. */
  public WorkerConfig name(String value) {
    this.name = Objects.requireNonNull(value, "name");
    return this;
  }

  /** How many tasks to run before the process exits to be replaced; 0 for no limit. */
  public WorkerConfig maxTasks(int value) {
    if (value < 0) {
      throw new IllegalArgumentException("maxTasks must be 0 or more, got " + value);
    }
    this.maxTasks = value;
    return this;
  }

  /** Package prefixes whose tasks this worker runs; empty for any. */
  public WorkerConfig allowedPackages(List<String> value) {
    this.allowedPackages = List.copyOf(value);
    return this;
  }

  /** Whether to exit when the broker goes silent (local mode) instead of reconnecting. */
  public WorkerConfig exitOnBrokerLoss(boolean value) {
    this.exitOnBrokerLoss = value;
    return this;
  }

  /** How long the broker may be silent before it counts as lost. */
  public WorkerConfig brokerTimeout(Duration value) {
    this.brokerTimeout = Objects.requireNonNull(value, "brokerTimeout");
    return this;
  }

  String brokerAddress() {
    return brokerAddress;
  }

  byte[] authkey() {
    return authkey;
  }

  boolean forwardOutput() {
    return forwardOutput;
  }

  boolean encrypt() {
    return encrypt;
  }

  String name() {
    return name;
  }

  int maxTasks() {
    return maxTasks;
  }

  List<String> allowedPackages() {
    return allowedPackages;
  }

  boolean exitOnBrokerLoss() {
    return exitOnBrokerLoss;
  }

  long brokerTimeoutNanos() {
    return brokerTimeout.toNanos();
  }
}
