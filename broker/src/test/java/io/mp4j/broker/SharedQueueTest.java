package io.mp4j.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Hello;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Wire;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZContext;

/**
 * Queues served by the broker, over real sockets: FIFO, bounded, parked gets and puts answered
 * by the operation that frees them, deadlines on the broker's clock, joinable counts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedQueueTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final ZContext context = new ZContext(1);
  private Broker broker;
  private RawPeer producer;
  private RawPeer consumer;

  @BeforeEach
  void start() {
    broker = Broker.start(new BrokerConfig().nanoClock(clock::get));
    producer = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    consumer = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 2);
  }

  @AfterEach
  void stop() {
    broker.close();
    context.close();
  }

  private static byte[] open(int maxSize, boolean joinable) {
    return Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packInt(maxSize);
      packer.packBoolean(joinable);
    });
  }

  private static byte[] put(String item, long timeoutMillis) {
    byte[] bytes = Wire.pack(packer -> packer.packString(item));
    return Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packBinaryHeader(bytes.length);
      packer.writePayload(bytes);
      packer.packLong(timeoutMillis);
    });
  }

  private static byte[] timeout(long millis) {
    return Wire.pack(packer -> {
      packer.packArrayHeader(1);
      packer.packLong(millis);
    });
  }

  private static String item(Reply reply) throws Exception {
    assertNull(reply.error(), reply.message());
    return Wire.unpacker(reply.payload()).unpackString();
  }

  private Reply call(RawPeer peer, String op, String name, byte[] args) throws Exception {
    long id = peer.request(op, name, args);
    Reply reply = peer.reply();
    assertEquals(id, reply.requestId());
    return reply;
  }

  @Test
  void putsAndGets_areFirstInFirstOut_acrossPeers() throws Exception {
    assertNull(call(producer, "queue.open", "q", open(0, false)).error());
    for (String item : new String[] {"a", "b", "c"}) {
      assertNull(call(producer, "queue.put", "q", put(item, -1)).error());
    }
    assertEquals("a", item(call(consumer, "queue.get", "q", timeout(-1))));
    assertEquals("b", item(call(consumer, "queue.get", "q", timeout(0))));
    assertEquals("c", item(call(consumer, "queue.get", "q", timeout(5000))));
    assertEquals(ErrorCode.EMPTY, call(consumer, "queue.get", "q", timeout(0)).error());
  }

  @Test
  void getOnEmptyQueue_parksUntilAPut() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    long waiting = consumer.request("queue.get", "q", timeout(-1));
    consumer.socket.setReceiveTimeOut(300);
    assertNull(consumer.reply(), "a get on an empty queue must wait");
    assertNull(call(producer, "queue.put", "q", put("late", 0)).error());
    consumer.socket.setReceiveTimeOut(5000);
    Reply reply = consumer.reply();
    assertEquals(waiting, reply.requestId());
    assertEquals("late", item(reply));
  }

  @Test
  void parkedGet_timesOutWhenTheBrokersClockPassesItsDeadline() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    long waiting = consumer.request("queue.get", "q", timeout(2000));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      clock.addAndGet(Duration.ofMillis(500).toNanos());
      consumer.socket.setReceiveTimeOut(100);
      Reply reply = consumer.reply();
      if (reply == null) {
        return false;
      }
      assertEquals(waiting, reply.requestId());
      assertEquals(ErrorCode.EMPTY, reply.error());
      return true;
    });
  }

  @Test
  void boundedQueue_refusesOrParksPutsUntilAGetMakesRoom() throws Exception {
    call(producer, "queue.open", "small", open(1, false));
    assertNull(call(producer, "queue.put", "small", put("first", 0)).error());
    Reply full = call(producer, "queue.put", "small", put("second", 0));
    assertEquals(ErrorCode.FULL, full.error());
    assertTrue(full.message().contains("full"), full.message());

    long parked = producer.request("queue.put", "small", put("second", -1));
    assertEquals("first", item(call(consumer, "queue.get", "small", timeout(0))));
    assertEquals(parked, producer.reply().requestId());
    assertEquals("second", item(call(consumer, "queue.get", "small", timeout(0))));
  }

  @Test
  void joinableQueue_joinReturnsWhenEveryItemIsDone_andExtraTaskDoneIsAnError()
      throws Exception {
    call(producer, "queue.open", "jobs", open(0, true));
    call(producer, "queue.put", "jobs", put("x", -1));
    call(producer, "queue.put", "jobs", put("y", -1));
    long join = producer.request("queue.join", "jobs", timeout(-1));
    for (int i = 0; i < 2; i++) {
      call(consumer, "queue.get", "jobs", timeout(0));
      assertNull(call(consumer, "queue.taskDone", "jobs", new byte[] {(byte) 0x90}).error());
    }
    assertEquals(join, producer.reply().requestId());
    Reply extra = call(consumer, "queue.taskDone", "jobs", new byte[] {(byte) 0x90});
    assertEquals(ErrorCode.BAD_REQUEST, extra.error());
    assertTrue(extra.message().contains("more times than items were put"), extra.message());
  }

  @Test
  void badRequests_getClearErrors_andHarmNoOne() throws Exception {
    Reply missing = call(consumer, "queue.get", "never-opened", timeout(0));
    assertEquals(ErrorCode.NO_SUCH_OBJECT, missing.error());
    assertTrue(missing.message().contains("never-opened"), missing.message());
    call(producer, "queue.open", "q", open(0, false));
    Reply negative = call(consumer, "queue.get", "q", timeout(-5));
    assertEquals(ErrorCode.BAD_REQUEST, negative.error());
    assertEquals(ErrorCode.BAD_REQUEST, call(consumer, "queue.fly", "q", timeout(0)).error());
    assertEquals(ErrorCode.BAD_REQUEST,
        call(consumer, "queue.get", "q", new byte[] {(byte) 0xc1}).error());

    long waiting = consumer.request("queue.get", "q", timeout(-1));
    call(producer, "queue.delete", "q", new byte[] {(byte) 0x90});
    Reply deleted = consumer.reply();
    assertEquals(waiting, deleted.requestId());
    assertEquals(ErrorCode.NO_SUCH_OBJECT, deleted.error());
    assertTrue(broker.isAlive());
  }

  @Test
  void itemsOutliveTheProducer() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    byte[] value = Wire.pack(packer -> packer.packString("kept"));
    call(producer, "queue.put", "q", put("kept", 0));
    producer.send(io.mp4j.protocol.MessageType.BYE);
    producer.socket.close();
    Reply reply = call(consumer, "queue.get", "q", timeout(5000));
    assertArrayEquals(value, reply.payload().toArray());
  }

  private static byte[] lease(long timeoutMillis, int max) {
    return Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packLong(timeoutMillis);
      packer.packInt(max);
    });
  }

  private static byte[] release(long leaseId, int used) {
    return Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packLong(leaseId);
      packer.packInt(used);
    });
  }

  /** A lease answer's id, then its items as strings. */
  private static java.util.List<String> leased(Reply reply, long[] leaseId) throws Exception {
    assertNull(reply.error(), reply.message());
    org.msgpack.core.MessageUnpacker in = Wire.unpacker(reply.payload());
    in.unpackArrayHeader();
    leaseId[0] = in.unpackLong();
    java.util.List<String> items = new java.util.ArrayList<>();
    for (int n = in.unpackArrayHeader(); n > 0; n--) {
      items.add(Wire.unpacker(in.readPayload(in.unpackBinaryHeader())).unpackString());
    }
    return items;
  }

  @Test
  void lease_lendsARun_othersWaitForIt_andTheUnusedRestComesBackFirst() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    for (String item : new String[] {"a", "b", "c", "d", "e"}) {
      call(producer, "queue.put", "q", put(item, -1));
    }
    long[] leaseId = new long[1];
    assertEquals(java.util.List.of("a", "b", "c"),
        leased(call(consumer, "queue.lease", "q", lease(-1, 3)), leaseId));
    assertTrue(leaseId[0] != 0);
    // The run is out: another consumer neither takes "d" past it nor hears "empty"; even a get
    // that would not wait waits for the run to come back.
    long waiting = producer.request("queue.get", "q", timeout(0));
    producer.socket.setReceiveTimeOut(300);
    assertNull(producer.reply(), "a get must wait while a run is lent out");
    // The borrower used "a" only: "b" and "c" go back ahead of "d".
    assertNull(call(consumer, "queue.release", "q", release(leaseId[0], 1)).error());
    producer.socket.setReceiveTimeOut(5000);
    Reply first = producer.reply();
    assertEquals(waiting, first.requestId());
    assertEquals("b", item(first));
    for (String expected : new String[] {"c", "d", "e"}) {
      assertEquals(expected, item(call(producer, "queue.get", "q", timeout(0))));
    }
  }

  @Test
  void getThatWouldNotWait_hearsEmptyOnceTheGraceForALentRunPasses() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    call(producer, "queue.put", "q", put("a", -1));
    call(producer, "queue.put", "q", put("b", -1));
    leased(call(consumer, "queue.lease", "q", lease(0, 2)), new long[1]);
    long waiting = producer.request("queue.get", "q", timeout(0));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      clock.addAndGet(Duration.ofMillis(20).toNanos());
      producer.socket.setReceiveTimeOut(100);
      Reply reply = producer.reply();
      if (reply == null) {
        return false;
      }
      assertEquals(waiting, reply.requestId());
      assertEquals(ErrorCode.EMPTY, reply.error());
      return true;
    });
  }

  @Test
  void leaseOfOneItem_lendsNothing_andAnEmptyQueueParksTheLease() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    call(producer, "queue.put", "q", put("only", -1));
    long[] leaseId = new long[1];
    assertEquals(java.util.List.of("only"),
        leased(call(consumer, "queue.lease", "q", lease(-1, 64)), leaseId));
    assertEquals(0, leaseId[0]);
    long waiting = consumer.request("queue.lease", "q", lease(-1, 64));
    call(producer, "queue.put", "q", put("late", -1));
    Reply late = consumer.reply();
    assertEquals(waiting, late.requestId());
    assertEquals(java.util.List.of("late"), leased(late, leaseId));
  }

  @Test
  void aLeaseParkedOnAnEmptyQueue_borrowsAProducersWholeBurst() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    long waiting = consumer.request("queue.lease", "q", lease(-1, 64));
    java.util.List<byte[]> burst = new java.util.ArrayList<>();
    for (String item : new String[] {"a", "b", "c"}) {
      burst.add(Wire.pack(packer -> packer.packString(item)));
    }
    assertNull(call(producer, "queue.putAll", "q", Wire.packBinaries(burst)).error());
    Reply reply = consumer.reply();
    assertEquals(waiting, reply.requestId());
    long[] leaseId = new long[1];
    assertEquals(java.util.List.of("a", "b", "c"), leased(reply, leaseId));
    assertTrue(leaseId[0] != 0);
  }

  @Test
  void boundedQueue_lendsNothing_soAGetMakesRoomAtOnce() throws Exception {
    call(producer, "queue.open", "small", open(2, false));
    call(producer, "queue.put", "small", put("a", 0));
    call(producer, "queue.put", "small", put("b", 0));
    long[] leaseId = new long[1];
    assertEquals(java.util.List.of("a"),
        leased(call(consumer, "queue.lease", "small", lease(0, 2)), leaseId));
    assertEquals(0, leaseId[0]);
    assertNull(call(producer, "queue.put", "small", put("c", 0)).error());
    assertEquals(ErrorCode.FULL, call(producer, "queue.put", "small", put("d", 0)).error());
  }

  @Test
  void aLeaseOfAPeerThatLeaves_comesBackWhole() throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    for (String item : new String[] {"a", "b", "c"}) {
      call(producer, "queue.put", "q", put(item, -1));
    }
    long[] leaseId = new long[1];
    leased(call(consumer, "queue.lease", "q", lease(0, 2)), leaseId);
    long waiting = producer.request("queue.get", "q", timeout(-1));
    consumer.send(io.mp4j.protocol.MessageType.BYE);
    Reply back = producer.reply();
    assertEquals(waiting, back.requestId());
    assertEquals("a", item(back));
    assertEquals("b", item(call(producer, "queue.get", "q", timeout(0))));
    assertEquals("c", item(call(producer, "queue.get", "q", timeout(0))));
  }

  @Test
  void requestsJoinedInOneFrame_areHandledInOrder_andQuietOnesAreAnsweredOnlyWhenTheyFail()
      throws Exception {
    call(producer, "queue.open", "q", open(0, false));
    call(producer, "queue.open", "small", open(1, false));
    io.mp4j.protocol.RequestBatch batch = new io.mp4j.protocol.RequestBatch();
    batch.add(new io.mp4j.protocol.Request(100, "queue.put", "q", put("a", -1), true));
    batch.add(new io.mp4j.protocol.Request(101, "queue.put", "q", put("b", -1), true));
    batch.add(new io.mp4j.protocol.Request(102, "queue.size", "q", new byte[] {(byte) 0x90}));
    batch.add(new io.mp4j.protocol.Request(103, "queue.put", "small", put("x", -1), true));
    batch.add(new io.mp4j.protocol.Request(104, "queue.put", "small", put("y", -1), true));
    byte[][] frames = batch.drain();
    assertEquals(1, frames.length, "small requests share one frame");
    producer.send(io.mp4j.protocol.MessageType.REQUEST, frames);

    Reply size = producer.reply();
    assertEquals(102, size.requestId(), "the quiet puts before it are not answered");
    assertEquals(2, Wire.unpacker(size.payload()).unpackInt());
    Reply full = producer.reply();
    assertEquals(104, full.requestId(), "a quiet put is never parked: to a full queue it fails");
    assertEquals(ErrorCode.FULL, full.error());
    assertEquals("a", item(call(consumer, "queue.get", "q", timeout(0))));
    assertEquals("b", item(call(consumer, "queue.get", "q", timeout(0))));
    assertEquals("x", item(call(consumer, "queue.get", "small", timeout(0))));
  }
}
