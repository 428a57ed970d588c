package io.mp4j;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.ZContext;

/**
 * The pieces of a local pool: a broker embedded in this JVM on loopback, and worker JVMs spawned
 * from this JVM's java and classpath, replaced when they exit. The client talks to the broker over
 * inproc; the workers over TCP on loopback, with a random authkey.
 */
final class LocalCluster implements AutoCloseable {
  /** How long a worker JVM may take to reach the broker before it is replaced. */
  private static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(20);

  private final ZContext context = new ZContext(1);
  private final Broker broker;
  private final WorkerSupervisor supervisor;
  private final byte[] authkey;
  private volatile int processes;
  private final Thread shutdownHook;

  LocalCluster(int processes, int maxTasksPerChild, List<String> jvmOptions,
      java.time.Duration workerTimeout) {
    this(processes, maxTasksPerChild, jvmOptions, workerTimeout, java.util.Map.of());
  }

  /** With {@code types} registered with the broker for Manager clients. */
  LocalCluster(int processes, int maxTasksPerChild, List<String> jvmOptions,
      java.time.Duration workerTimeout, java.util.Map<String, Class<?>> types) {
    this.processes = processes;
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    this.authkey = HexFormat.of().formatHex(random).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // A worker the broker gave up on may still be alive but hung: kill it so it is replaced.
    AtomicReference<WorkerSupervisor> supervisorRef = new AtomicReference<>();
    BrokerConfig config = new BrokerConfig();
    types.forEach(config::registerType);
    this.broker = Broker.start(config.context(context).authkey(authkey).encrypt(false)
        .workerTimeout(workerTimeout)
        .onWorkerJoined(pid -> {
          WorkerSupervisor owner = supervisorRef.get();
          if (owner != null) {
            owner.joined(pid);
          }
        })
        .onWorkerLost(pid -> {
          WorkerSupervisor owner = supervisorRef.get();
          if (owner != null) {
            owner.kill(pid);
          }
        }));
    this.supervisor = new WorkerSupervisor(broker.endpoint(), authkey, "worker", maxTasksPerChild,
        List.of(), true, jvmOptions, broker::workerProcessExited);
    supervisor.startTimeout(START_TIMEOUT);
    supervisor.plainTransport();
    supervisorRef.set(supervisor);
    this.shutdownHook = new Thread(this::close, "mp4j-pool-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    supervisor.start(processes);
  }

  ZContext context() {
    return context;
  }

  String clientEndpoint() {
    return broker.inprocEndpoint();
  }

  byte[] authkey() {
    return authkey;
  }

  int processes() {
    return processes;
  }

  /** Starts more worker processes, which serve every session of this broker. */
  void addWorkers(int count) {
    supervisor.start(count);
    processes += count;
  }

  Broker broker() {
    return broker;
  }

  List<Long> workerPids() {
    return supervisor.pids();
  }

  /** How many workers have reached the broker and not been lost. */
  int connectedWorkers() {
    return broker.stats(java.time.Duration.ofSeconds(5)).workers();
  }

  @Override
  public void close() {
    supervisor.close();
    broker.close();
    context.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and running this hook.
    }
  }
}
