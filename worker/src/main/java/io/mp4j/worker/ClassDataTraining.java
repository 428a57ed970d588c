package io.mp4j.worker;

import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Welcome;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.task.TaskDescriptor;
import java.time.Duration;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The training run behind {@link ClassDataCache}: a real worker that serves one task from a
 * stand-in broker in the same JVM, over TCP on loopback, so that the JVM loads what a worker loads
 * before its first result, and then exits so the JVM writes its class-data archive.
 */
final class ClassDataTraining {
  private ClassDataTraining() {}

  /** The longest a training run may take: it outlives its parent, so it must end by itself. */
  private static final long LIMIT_MILLIS = 60_000;

  static int run() {
    Thread limit = new Thread(() -> {
      try {
        Thread.sleep(LIMIT_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(4); // no archive from a run that hung
    }, "mp4j-training-limit");
    limit.setDaemon(true);
    limit.start();
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket broker = context.createSocket(SocketType.ROUTER);
      broker.setLinger(0);
      broker.setReceiveTimeOut(10_000);
      broker.bind("tcp://127.0.0.1:0");
      String endpoint = broker.getLastEndpoint();
      Thread standIn = new Thread(() -> serveOneTask(broker), "mp4j-training-broker");
      standIn.setDaemon(true);
      standIn.start();
      WorkerConfig config = new WorkerConfig()
          .brokerAddress(endpoint)
          .name("training")
          .maxTasks(1)
          .exitOnBrokerLoss(true)
          .brokerTimeout(Duration.ofSeconds(10));
      return new WorkerProcess(config).run();
    }
  }

  /** Answers HELLO, sends one call of {@code Math.abs}, and reads the result. */
  private static void serveOneTask(ZMQ.Socket broker) {
    ZMsg hello = ZMsg.recvMsg(broker);
    if (hello == null) {
      return;
    }
    byte[] identity = hello.pop().getData();
    send(broker, identity, MessageType.WELCOME, new Welcome(0, 1000, 1 << 20, 1).encode());
    byte[] function = new TaskDescriptor(TaskDescriptor.Kind.STATIC, "java.lang.Math", "abs",
        "(I)I", 1, new byte[] {(byte) 0x90}).encode();
    byte[] args = Wire.pack(packer -> {
      packer.packArrayHeader(1);
      packer.packInt(-1);
    });
    byte[] task = new TaskFrame(1, 0, 1, function, args).encode();
    send(broker, identity, MessageType.TASK, Wire.pack(packer -> {
      packer.packArrayHeader(1);
      packer.packArrayHeader(3);
      packer.packLong(1);
      packer.packLong(1);
      packer.packBinaryHeader(task.length);
      packer.writePayload(task);
    }));
    for (ZMsg msg = ZMsg.recvMsg(broker); msg != null; msg = ZMsg.recvMsg(broker)) {
      msg.pop();
      if (MessageType.fromFrame(msg.pop().getData()) == MessageType.BYE) {
        return;
      }
    }
  }

  private static void send(ZMQ.Socket socket, byte[] identity, MessageType type, byte[] body) {
    socket.send(identity, ZMQ.SNDMORE);
    socket.send(new byte[] {type.code()}, ZMQ.SNDMORE);
    socket.send(body, 0);
  }
}
