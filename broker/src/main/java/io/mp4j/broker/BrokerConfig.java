package io.mp4j.broker;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.zeromq.ZContext;

/**
 * Settings of a broker, built with setters that return {@code this}. Not for users: the client's
 * Pool and the {@code broker} command build it.
 */
public final class BrokerConfig {
  private String bindAddress = "tcp://127.0.0.1:0";
  private byte[] authkey;
  private boolean encrypt = true;
  private Duration heartbeatInterval = Duration.ofSeconds(1);
  private Duration workerTimeout = Duration.ofSeconds(4);
  private Duration clientTimeout = Duration.ofSeconds(15);
  private int maxMessageBytes = 64 << 20;
  private int maxAttempts = 3;
  private int maxPrefetch = 256;
  private ZContext context;
  private LongSupplier nanoClock = System::nanoTime;
  private LongConsumer onWorkerLost = pid -> { };
  private LongConsumer onWorkerJoined = pid -> { };
  private final java.util.Map<String, Class<?>> registeredTypes = new java.util.HashMap<>();

  /** Where to listen, as a ZeroMQ TCP endpoint; port 0 picks a free port. */
  public BrokerConfig bindAddress(String value) {
    this.bindAddress = Objects.requireNonNull(value, "bindAddress");
    return this;
  }

  /** The key every peer must present; null lets any peer in (loopback only). */
  public BrokerConfig authkey(byte[] value) {
    this.authkey = value == null ? null : value.clone();
    return this;
  }

  /**
   * Whether, with an authkey, the TCP socket is a CurveZMQ server (authenticated and encrypted;
   * the default). A local pool turns it off: its broker listens on loopback with a random key
   * for its own child processes only, and encryption there would cost time and protect nothing.
   */
  public BrokerConfig encrypt(boolean value) {
    this.encrypt = value;
    return this;
  }

  /** How often each side sends a sign of life when it has sent nothing else. */
  public BrokerConfig heartbeatInterval(Duration value) {
    this.heartbeatInterval = requirePositive(value, "heartbeatInterval");
    return this;
  }

  /** How long a silent worker lives before its tasks go to other workers. */
  public BrokerConfig workerTimeout(Duration value) {
    this.workerTimeout = requirePositive(value, "workerTimeout");
    return this;
  }

  /** How long a silent client lives before its queued tasks are dropped. */
  public BrokerConfig clientTimeout(Duration value) {
    this.clientTimeout = requirePositive(value, "clientTimeout");
    return this;
  }

  /** The largest message accepted; larger ones are dropped and the sender told. */
  public BrokerConfig maxMessageBytes(int value) {
    if (value < 1024) {
      throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + value);
    }
    this.maxMessageBytes = value;
    return this;
  }

  /** How many workers may die holding one task before it fails with WORKER_LOST. */
  public BrokerConfig maxAttempts(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + value);
    }
    this.maxAttempts = value;
    return this;
  }

  /** The most tasks one worker holds at once, however short they are. */
  public BrokerConfig maxPrefetch(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("maxPrefetch must be at least 1, got " + value);
    }
    this.maxPrefetch = value;
    return this;
  }

  /** A context to share with an in-process client, which then connects over inproc. */
  public BrokerConfig context(ZContext value) {
    this.context = value;
    return this;
  }

  /** The monotonic clock, in nanoseconds; tests pass their own. */
  public BrokerConfig nanoClock(LongSupplier value) {
    this.nanoClock = Objects.requireNonNull(value, "nanoClock");
    return this;
  }

  /**
   * Called on the broker's thread with the pid of each worker it declares lost, so that a local
   * supervisor can kill a hung process and start another; must return at once.
   */
  public BrokerConfig onWorkerLost(LongConsumer value) {
    this.onWorkerLost = Objects.requireNonNull(value, "onWorkerLost");
    return this;
  }

  /**
   * Called on the broker's thread with the pid of each worker that joins, so that a local
   * supervisor knows which of its processes came up; must return at once.
   */
  public BrokerConfig onWorkerJoined(LongConsumer value) {
    this.onWorkerJoined = Objects.requireNonNull(value, "onWorkerJoined");
    return this;
  }

  /**
   * Registers a class whose instances the broker holds for Manager clients, as Python's
   * {@code BaseManager.register}: a client makes one by name and calls its public methods.
   * The methods run on the broker's thread, one call at a time, so each call is atomic; they
   * should be quick.
   *
   * @param typeName the name clients use
   * @param type a public class with a public constructor
   */
  public BrokerConfig registerType(String typeName, Class<?> type) {
    Objects.requireNonNull(typeName, "typeName");
    Objects.requireNonNull(type, "type");
    if (!java.lang.reflect.Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException(type.getName() + " must be public to be registered");
    }
    registeredTypes.put(typeName, type);
    return this;
  }

  java.util.Map<String, Class<?>> registeredTypes() {
    return registeredTypes;
  }

  LongConsumer onWorkerJoined() {
    return onWorkerJoined;
  }

  LongConsumer onWorkerLost() {
    return onWorkerLost;
  }

  String bindAddress() {
    return bindAddress;
  }

  byte[] authkey() {
    return authkey;
  }

  boolean encrypts() {
    return encrypt && io.mp4j.protocol.CurveKeys.encrypts(bindAddress, authkey);
  }

  long heartbeatNanos() {
    return heartbeatInterval.toNanos();
  }

  long workerTimeoutNanos() {
    return workerTimeout.toNanos();
  }

  long clientTimeoutNanos() {
    return clientTimeout.toNanos();
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  int maxPrefetch() {
    return maxPrefetch;
  }

  ZContext context() {
    return context;
  }

  LongSupplier nanoClock() {
    return nanoClock;
  }

  private static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }
}
