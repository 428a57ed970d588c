package io.mp4j;

import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code status} command: connects to a broker as a client (the authkey is checked as for
 * any client), sends one {@code broker.status} request and prints the answer.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows what a running broker is doing: workers by host and their load, clients,"
        + " queues, tasks queued and in flight, tasks/s, and refused input.")
final class StatusCommand implements Callable<Integer> {
  /** The REQUEST operation the broker answers with its status. */
  static final String OP = "broker.status";

  @Spec
  CommandSpec spec;

  @Option(names = "--connect", paramLabel = "ADDRESS", defaultValue = "tcp://127.0.0.1:5555",
      description = "The broker's address (default: ${DEFAULT-VALUE}).")
  String connect;

  @Option(names = "--authkey-file", paramLabel = "FILE",
      description = "A file holding the broker's authkey (else the MP4J_AUTHKEY environment"
          + " variable).")
  Path authkeyFile;

  @Option(names = "--json", description = "Print the broker's answer as JSON.")
  boolean json;

  @Option(names = "--timeout-ms", paramLabel = "MILLIS", defaultValue = "10000",
      description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
  long timeoutMillis;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> status;
    Value raw;
    try {
      raw = fetch(connect, readAuthkey(authkeyFile), Duration.ofMillis(timeoutMillis));
      status = toMap(raw);
    } catch (Mp4jException e) {
      err.println("mp4j status: " + e.getMessage());
      err.flush();
      return 1;
    }
    if (json) {
      out.println(raw.toJson());
    } else {
      print(out, connect, status);
    }
    out.flush();
    return 0;
  }

  /**
   * Asks the broker at {@code address} for its status.
   *
   * @throws AuthenticationException when the broker refuses the key
   * @throws BrokerException when no broker answers, or it answers with an error
   */
  static Value fetch(String address, byte[] authkey, Duration timeout) {
    try (ClientConnection connection = connect(address, authkey, timeout)) {
      return fetch(connection, timeout);
    }
  }

  /** A client connection that asks nothing but requests; {@link #fetch} can reuse it. */
  static ClientConnection connect(String address, byte[] authkey, Duration timeout) {
    return new ClientConnection(null, address, authkey, null, Context.NO_RESULTS, timeout);
  }

  /** Asks for the status over a connection that is open already. */
  static Value fetch(ClientConnection connection, Duration timeout) {
    String address = connection.brokerAddress();
    try {
      Reply reply = connection.request(OP, "", Wire.pack(packer -> packer.packArrayHeader(0)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (reply.error() != null) {
        throw new BrokerException("the broker at " + address + " answered " + reply.error()
            + ": " + reply.message());
      }
      try (MessageUnpacker unpacker = Wire.unpacker(reply.payload())) {
        return unpacker.unpackValue();
      }
    } catch (TimeoutException e) {
      throw new BrokerException("the broker at " + address + " did not answer within "
          + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Mp4jException m ? m
          : new BrokerException("status request failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while asking " + address, e);
    } catch (IOException e) {
      throw new BrokerException("the broker at " + address + " sent a malformed status: "
          + e.getMessage(), e);
    }
  }

  static byte[] readAuthkey(Path file) throws IOException {
    if (file != null) {
      return Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
    }
    String key = System.getenv(Pool.AUTHKEY_ENV);
    return key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
  }

  /** The status as plain Java values: maps with string keys, lists, Long, Double, String. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> toMap(Value value) {
    return (Map<String, Object>) plain(value);
  }

  private static Object plain(Value value) {
    return switch (value.getValueType()) {
      case MAP -> {
        Map<String, Object> map = new LinkedHashMap<>();
        value.asMapValue().map().forEach((k, v) -> map.put(k.toString(), plain(v)));
        yield map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>();
        value.asArrayValue().forEach(v -> list.add(plain(v)));
        yield list;
      }
      case INTEGER -> value.asIntegerValue().toLong();
      case FLOAT -> value.asFloatValue().toDouble();
      case BOOLEAN -> value.asBooleanValue().getBoolean();
      case NIL -> null;
      default -> value.toString();
    };
  }

  @SuppressWarnings("unchecked")
  static void print(PrintWriter out, String address, Map<String, Object> status) {
    List<Map<String, Object>> workers = (List<Map<String, Object>>) status.get("workers");
    List<Map<String, Object>> clients = (List<Map<String, Object>>) status.get("clients");
    List<Map<String, Object>> queues = (List<Map<String, Object>>) status.get("queues");
    Map<String, List<Map<String, Object>>> byHost = new LinkedHashMap<>();
    for (Map<String, Object> worker : workers) {
      byHost.computeIfAbsent(String.valueOf(worker.get("host")), h -> new ArrayList<>())
          .add(worker);
    }
    out.printf(Locale.ROOT, "broker %s: up %s, %s%n", address,
        duration(number(status, "uptimeMillis")),
        Boolean.TRUE.equals(status.get("authkey")) ? "authkey required" : "no authkey");
    out.printf(Locale.ROOT, "workers: %s on %s; clients: %d; queues: %d%n",
        count(workers.size(), "process", "processes"), count(byHost.size(), "host", "hosts"),
        clients.size(), queues.size());
    out.printf(Locale.ROOT, "tasks: %,d queued, %,d in flight, %,d done (%,d calls),"
            + " %,.1f calls/s over the last 5 s, %,d requeued; workers lost: %,d%n",
        number(status, "tasksQueued"), number(status, "tasksInFlight"),
        number(status, "tasksCompleted"), number(status, "callsCompleted"),
        ((Number) status.get("callsPerSecond")).doubleValue(), number(status, "tasksRequeued"),
        number(status, "workersLost"));
    out.println();
    out.println("WORKERS BY HOST");
    if (byHost.isEmpty()) {
      out.println("  (none connected)");
    }
    for (Map.Entry<String, List<Map<String, Object>>> host : byHost.entrySet()) {
      long held = 0;
      long done = 0;
      for (Map<String, Object> worker : host.getValue()) {
        held += number(worker, "callsHeld");
        done += number(worker, "callsDone");
      }
      out.printf(Locale.ROOT, "  %s: %s, load %,d calls held, %,d calls done%n",
          host.getKey(), count(host.getValue().size(), "process", "processes"), held, done);
      for (Map<String, Object> worker : host.getValue()) {
        out.printf(Locale.ROOT, "    %-20s pid %-8d holds %,d tasks (%,d calls), done %,d calls%n",
            worker.get("name"), number(worker, "pid"), number(worker, "tasksHeld"),
            number(worker, "callsHeld"), number(worker, "callsDone"));
      }
    }
    out.println();
    out.println("CLIENTS");
    if (clients.isEmpty()) {
      out.println("  (none connected)");
    }
    for (Map<String, Object> client : clients) {
      out.printf(Locale.ROOT, "  %-22s %,d tasks queued (%,d calls)%n", client.get("name"),
          number(client, "tasksQueued"), number(client, "callsQueued"));
    }
    out.println();
    out.println("QUEUES");
    if (queues.isEmpty()) {
      out.println("  (none)");
    }
    for (Map<String, Object> queue : queues) {
      long max = number(queue, "maxSize");
      out.printf(Locale.ROOT, "  %-40s %,d items%s%s, %d gets waiting%n", queue.get("name"),
          number(queue, "size"), max == 0 ? "" : String.format(Locale.ROOT, " (max %,d)", max),
          Boolean.TRUE.equals(queue.get("joinable")) ? ", joinable" : "",
          number(queue, "waitingGets"));
    }
    Map<String, Object> connections = (Map<String, Object>) status.get("connections");
    long accepted = number(connections, "accepted");
    long handshakes = number(connections, "handshakes");
    long foreign = number(connections, "foreignGreetings");
    out.println();
    out.println("REFUSED OR BAD INPUT (dropped; the broker went on)");
    out.printf(Locale.ROOT, "  wrong or missing authkey:          %,d%n",
        number(status, "authFailures"));
    out.printf(Locale.ROOT, "  malformed messages:                %,d%n",
        number(status, "malformedDropped"));
    out.printf(Locale.ROOT, "  oversized messages:                %,d%n",
        number(status, "oversizedDropped"));
    out.printf(Locale.ROOT, "  unknown type or before HELLO:      %,d%n",
        number(status, "unknownTypeDropped"));
    out.printf(Locale.ROOT, "  garbage greetings (not ZeroMQ 3):  %,d%n", foreign);
    out.printf(Locale.ROOT, "  connections without a handshake:   %,d"
        + " (silent, cut short or garbled, open ones included)%n",
        Math.max(0, accepted - handshakes - foreign));
    out.printf(Locale.ROOT, "connections: %,d accepted, %,d open, %,d ZeroMQ handshakes%n",
        accepted, accepted - number(connections, "closed"), handshakes);
  }

  private static long number(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value instanceof Number n ? n.longValue() : 0;
  }

  private static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String duration(long millis) {
    long seconds = millis / 1000;
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return seconds / 60 + " min";
    }
    return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
  }
}
