package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.broker.BrokerStats;
import io.mp4j.protocol.CurveKeys;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.ErrorReply;
import io.mp4j.protocol.Hello;
import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.task.TaskDescriptor;
import io.mp4j.worker.WorkerSupervisor;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * A standalone broker with a real worker, fed bad input over real sockets: each bad message is
 * dropped, counted and answered with an ERROR, and the broker goes on serving a real pool.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokerInputTest {
  private static final byte[] KEY = "secret-key".getBytes(StandardCharsets.UTF_8);
  private final ZContext context = new ZContext(1);
  private Broker broker;
  private WorkerSupervisor workers;

  @BeforeAll
  void start() {
    broker = Broker.start(new BrokerConfig().authkey(KEY).maxMessageBytes(64 * 1024));
    workers = new WorkerSupervisor(broker.endpoint(), KEY, "worker", 0, List.of(), false,
        List.of(), null);
    workers.start(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> stats().workers() == 1);
  }

  @AfterAll
  void stop() {
    if (workers != null) {
      workers.close();
    }
    if (broker != null) {
      broker.close();
    }
    context.close();
  }

  private BrokerStats stats() {
    return broker.stats(Duration.ofSeconds(5));
  }

  private ZMQ.Socket rawPeer() {
    ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
    socket.setLinger(0);
    socket.setHandshakeIvl(1000);
    socket.setReceiveTimeOut(10_000);
    // The raw peer holds the key at the transport (CurveZMQ) to reach the broker's HELLO checks.
    CurveKeys.of(KEY).applyClient(socket);
    socket.connect(broker.endpoint());
    return socket;
  }

  private static void send(ZMQ.Socket socket, byte[]... frames) {
    for (int i = 0; i < frames.length; i++) {
      socket.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
    }
  }

  private static ZMsg receive(ZMQ.Socket socket, MessageType expected) {
    while (true) {
      ZMsg msg = ZMsg.recvMsg(socket);
      assertNotNull(msg, "no answer from the broker");
      MessageType type = MessageType.fromFrame(msg.pop().getData());
      if (type != MessageType.HEARTBEAT) {
        assertEquals(expected, type);
        return msg;
      }
    }
  }

  private static ErrorReply error(ZMQ.Socket socket) throws Exception {
    return ErrorReply.decode(receive(socket, MessageType.ERROR).pop().getData());
  }

  private static byte[] hello(byte[] key) {
    return new Hello(Wire.PROTOCOL_VERSION, Hello.Role.CLIENT, key, "test", 1, "raw", 0, null)
        .encode();
  }

  private static byte[] type(MessageType type) {
    return new byte[] {type.code()};
  }

  @Test
  void garbageAndOutOfPlaceMessages_areDroppedCountedAndAnswered() throws Exception {
    ZMQ.Socket peer = rawPeer();
    try {
      long unknownBefore = stats().unknownTypeDropped();
      send(peer, new byte[] {42, 42, 42}, new byte[] {1});
      assertEquals(ErrorCode.UNKNOWN_TYPE, error(peer).code());
      send(peer, type(MessageType.SUBMIT), new byte[] {1, 2, 3});
      assertEquals(ErrorCode.NOT_CONNECTED, error(peer).code());
      assertEquals(unknownBefore + 2, stats().unknownTypeDropped());

      long malformedBefore = stats().malformedDropped();
      send(peer, type(MessageType.HELLO), new byte[] {(byte) 0xc1, 7});
      assertEquals(ErrorCode.MALFORMED, error(peer).code());
      send(peer, type(MessageType.HELLO), hello(KEY));
      receive(peer, MessageType.WELCOME);
      send(peer, type(MessageType.SUBMIT), new byte[] {(byte) 0x95, 1, 2});
      assertEquals(ErrorCode.MALFORMED, error(peer).code());
      send(peer, type(MessageType.SUBMIT), Wire.packBinaries(List.of(new byte[] {(byte) 0x95})));
      assertEquals(ErrorCode.MALFORMED, error(peer).code());
      send(peer, type(MessageType.TASK), new byte[] {1});
      assertEquals(ErrorCode.UNKNOWN_TYPE, error(peer).code());
      assertEquals(malformedBefore + 3, stats().malformedDropped());
    } finally {
      peer.close();
    }
  }

  @Test
  void messageOverTheLimit_isDroppedAndTheSenderTold() throws Exception {
    ZMQ.Socket peer = rawPeer();
    try {
      long before = stats().oversizedDropped();
      send(peer, type(MessageType.SUBMIT), new byte[100 * 1024]);
      ErrorReply reply = error(peer);
      assertEquals(ErrorCode.TOO_LARGE, reply.code());
      assertTrue(reply.message().contains("65536"), reply.message());
      assertEquals(before + 1, stats().oversizedDropped());
    } finally {
      peer.close();
    }
  }

  @Test
  void wrongAuthkey_isRefusedAndCounted() throws Exception {
    ZMQ.Socket peer = rawPeer();
    try {
      long before = stats().authFailures();
      send(peer, type(MessageType.HELLO), hello("wrong".getBytes(StandardCharsets.UTF_8)));
      assertEquals(ErrorCode.AUTHENTICATION, error(peer).code());
      send(peer, type(MessageType.HELLO), hello(null));
      assertEquals(ErrorCode.AUTHENTICATION, error(peer).code());
      // Connections of earlier tests refused in their handshake may be counted meanwhile.
      assertTrue(stats().authFailures() >= before + 2);
    } finally {
      peer.close();
    }
    assertThrows(AuthenticationException.class,
        () -> Pool.connect(broker.endpoint(), "wrong").close());
  }

  @Test
  void taskWhoseClassTheWorkerLacks_failsWithAClearError() throws Exception {
    ZMQ.Socket peer = rawPeer();
    try {
      send(peer, type(MessageType.HELLO), hello(KEY));
      receive(peer, MessageType.WELCOME);
      byte[] function = new TaskDescriptor(TaskDescriptor.Kind.STATIC, "com.example.Missing",
          "run", "(I)I", 1, new byte[] {(byte) 0x90}).encode();
      byte[] args = Wire.pack(packer -> {
        packer.packArrayHeader(1);
        packer.packInt(5);
      });
      send(peer, type(MessageType.SUBMIT),
          Wire.packBinaries(List.of(new TaskFrame(77, 0, 1, function, args).encode())));
      ResultFrame result = ResultFrame.decode(
          Wire.unpackSlices(receive(peer, MessageType.RESULT).pop().getData()).get(0));
      assertEquals(77, result.taskId());
      assertEquals(ErrorCode.TASK_NOT_RESOLVED, result.errors().get(0).code());
      String message = result.errors().get(0).error().message();
      assertTrue(message.contains("com.example.Missing") && message.contains("classpath"),
          message);
      assertTrue(RemoteErrors.toException(result.errors().get(0).code(),
          result.errors().get(0).error()) instanceof TaskNotFoundException);
    } finally {
      peer.close();
    }
  }

  @Test
  void rawTcpGarbageAndSilentConnections_doNotStopTheBroker() throws Exception {
    String endpoint = broker.endpoint();
    int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    byte[] garbage = new byte[4096];
    new Random(1).nextBytes(garbage);
    try (Socket silent = new Socket("127.0.0.1", port)) {
      for (int i = 0; i < 5; i++) {
        try (Socket noisy = new Socket("127.0.0.1", port)) {
          OutputStream out = noisy.getOutputStream();
          out.write(garbage);
          out.flush();
        }
      }
      try (Pool pool = Pool.connect(endpoint, "secret-key")) {
        assertEquals(List.of(0, 1, 4), pool.map(Tasks::square, List.of(0, 1, 2)));
      }
      assertTrue(silent.isConnected());
    }
    assertTrue(broker.isAlive());
  }
}
