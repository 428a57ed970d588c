package io.mp4j;

import static org.awaitility.Awaitility.await;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The pool contract against a standalone broker and worker processes that connect to it, as on a
 * cluster: the client only knows the broker's address and key.
 */
class ConnectedPoolTest extends PoolContractTest {
  private Broker broker;
  private WorkerSupervisor workers;

  @BeforeAll
  @Override
  void startPool() {
    byte[] key = "cluster-key".getBytes(StandardCharsets.UTF_8);
    broker = Broker.start(new BrokerConfig().authkey(key));
    workers = new WorkerSupervisor(broker.endpoint(), key, "remote", 0, List.of(), false,
        List.of(), null);
    workers.start(2);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> broker.stats(Duration.ofSeconds(5)).workers() == 2);
    super.startPool();
  }

  @AfterAll
  @Override
  void stopPool() {
    super.stopPool();
    if (workers != null) {
      workers.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  Pool newPool() {
    return Pool.connect(broker.endpoint(), "cluster-key");
  }
}
