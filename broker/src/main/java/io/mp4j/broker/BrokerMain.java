package io.mp4j.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code broker} command: a standalone broker that clients and worker daemons connect to. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = "Runs an mp4j broker: routes tasks from clients to workers.")
public final class BrokerMain implements Callable<Integer> {
  @Option(names = "--bind", defaultValue = "tcp://127.0.0.1:5555",
      description = "The address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--authkey-file",
      description = "A file holding the authkey every client and worker must present (else the"
          + " MP4J_AUTHKEY environment variable; without either, only loopback is allowed).")
  Path authkeyFile;

  @Option(names = "--max-message-bytes", defaultValue = "67108864",
      description = "The largest message accepted (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(names = "--worker-timeout-ms", defaultValue = "4000",
      description = "How long a silent worker lives before its tasks move (default:"
          + " ${DEFAULT-VALUE}).")
  long workerTimeoutMillis;

  @Option(names = "--max-attempts", defaultValue = "3",
      description = "Workers that may die holding a task before it fails (default:"
          + " ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--register", paramLabel = "NAME=CLASS",
      description = "A class whose instances the broker holds for Manager clients (Python's"
          + " BaseManager.register); repeatable. The class must be on --classpath.")
  java.util.Map<String, String> registered = new java.util.LinkedHashMap<>();

  @Option(names = "--classpath", paramLabel = "PATH",
      description = "Jars or directories (separated by '" + "${sys:path.separator}" + "', a"
          + " trailing /* for every jar in a directory) holding the registered classes.")
  String classpath;

  /**
   * Runs the command; see {@code --help}.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BrokerMain()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    byte[] authkey = null;
    if (authkeyFile != null) {
      authkey = Files.readString(authkeyFile).strip().getBytes(StandardCharsets.UTF_8);
    } else if (System.getenv("MP4J_AUTHKEY") != null && !System.getenv("MP4J_AUTHKEY").isEmpty()) {
      authkey = System.getenv("MP4J_AUTHKEY").getBytes(StandardCharsets.UTF_8);
    }
    if (authkey == null && !isLoopback(bind)) {
      System.err.println("mp4j broker: refusing to listen on " + bind + " without an authkey;"
          + " give --authkey-file or bind to 127.0.0.1");
      return 2;
    }
    BrokerConfig config = new BrokerConfig();
    ClassLoader loader = classLoader(classpath);
    for (var entry : registered.entrySet()) {
      try {
        config.registerType(entry.getKey(), Class.forName(entry.getValue(), false, loader));
      } catch (ClassNotFoundException e) {
        System.err.println("mp4j broker: cannot register " + entry.getKey() + ": class "
            + entry.getValue() + " is not on the classpath (give --classpath)");
        return 2;
      }
    }
    Broker broker = Broker.start(config
        .bindAddress(bind)
        .authkey(authkey)
        .maxMessageBytes(maxMessageBytes)
        .workerTimeout(Duration.ofMillis(workerTimeoutMillis))
        .maxAttempts(maxAttempts));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      stopped.countDown();
    }, "mp4j-broker-shutdown"));
    System.err.println("mp4j broker listening on " + broker.endpoint()
        + (authkey == null ? " (no authkey: loopback only)"
            : " (authkey set: connections are authenticated and encrypted with CurveZMQ)"));
    stopped.await();
    return 0;
  }

  private static ClassLoader classLoader(String classpath) throws IOException {
    ClassLoader parent = BrokerMain.class.getClassLoader();
    if (classpath == null || classpath.isBlank()) {
      return parent;
    }
    java.util.List<java.net.URL> urls = new java.util.ArrayList<>();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      if (entry.endsWith("/*")) {
        try (var jars = Files.newDirectoryStream(Path.of(entry.substring(0, entry.length() - 2)),
            "*.jar")) {
          for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
          }
        }
      } else if (!entry.isBlank()) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return new java.net.URLClassLoader(urls.toArray(new java.net.URL[0]), parent);
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("tcp://127.") || address.startsWith("tcp://localhost:")
        || address.startsWith("tcp://[::1]") || address.startsWith("inproc://");
  }
}
