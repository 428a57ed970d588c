package io.mp4j.broker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.mp4j.protocol.Mailbox;

/**
 * A running broker: its loop thread, its endpoints, and the way other threads talk to it.
 *
 * <p>Embeddable (the client's local Pool starts one on loopback) and standalone (the
 * {@code broker} command). Every method is safe from any thread: each posts a command to the
 * loop's mailbox. Not for users: use {@code Pool.create} or the {@code broker} command.
 */
public final class Broker implements AutoCloseable {
  private final Mailbox<BrokerLoop.Command> mailbox = new Mailbox<>();
  private final BrokerLoop loop;
  private final Thread thread;
  private volatile boolean closed;

  private Broker(BrokerConfig config) {
    this.loop = new BrokerLoop(config, mailbox);
    this.thread = new Thread(loop, "mp4j-broker");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Binds the broker's socket and starts its loop.
   *
   * @throws org.zeromq.ZMQException when the address cannot be bound
   */
  public static Broker start(BrokerConfig config) {
    return new Broker(config);
  }

  /** The TCP endpoint the broker listens on, with the port it was given. */
  public String endpoint() {
    return loop.endpoint();
  }

  /** The inproc endpoint, when the broker was given a shared context; otherwise null. */
  public String inprocEndpoint() {
    return loop.inprocEndpoint();
  }

  /** Tells the broker that a worker process it may know has exited, so its tasks move at once. */
  public void workerProcessExited(long pid, String cause) {
    mailbox.post(new BrokerLoop.WorkerExited(pid, cause));
  }

  /**
   * A snapshot of the broker's counters.
   *
   * @throws IllegalStateException when the broker does not answer within the timeout
   */
  public BrokerStats stats(Duration timeout) {
    CompletableFuture<BrokerStats> reply = new CompletableFuture<>();
    mailbox.post(new BrokerLoop.StatsRequest(reply));
    try {
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the broker for its stats", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the broker did not answer within " + timeout, e);
    }
  }

  /** Whether the loop thread is running. */
  public boolean isAlive() {
    return thread.isAlive();
  }

  /** Stops the loop and waits for it to close its sockets; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    mailbox.post(new BrokerLoop.Stop());
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
