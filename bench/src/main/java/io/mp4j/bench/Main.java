package io.mp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness's command: runs the selected benchmarks, mp4j and Python side by side,
 * prints a table and optionally writes docs/benchmarks.md. Run it from the repository root, where
 * {@code bench/python/mp_bench.py} is found.
 */
@Command(
    name = "mp4j-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Benchmarks mp4j against Python's multiprocessing on this machine.")
public final class Main implements Callable<Integer> {
  /** In the order, which numbers the sections. */
  private static final List<Benchmark> BENCHMARKS = List.of(new MapBenchmark(),
      new AsyncBenchmark(), new ApplyLatencyBenchmark(), new FactorBenchmark(),
      new StartupBenchmark(), new IpcBenchmark(), new RoutingBenchmark(),
      new ScalingBenchmark(), new ManagerBenchmark(), new CurveBenchmark());

  @Option(names = "--only", split = ",", paramLabel = "NAME",
      description = "Run only these benchmarks: map, async, apply, factor, startup, ipc,"
          + " routing, scaling, manager, curve (default: all).")
  List<String> only = new ArrayList<>();

  @Option(names = "--quick",
      description = "Tiny sizes that only check that everything runs; not results.")
  boolean quick;

  @Option(names = "--write", paramLabel = "FILE",
      description = "Also write the results as markdown, e.g. docs/benchmarks.md.")
  Path write;

  @Option(names = "--processes", defaultValue = "2", paramLabel = "N",
      description = "Worker processes in every pool, mp4j and Python (default: ${DEFAULT-VALUE}).")
  int processes;

  @Option(names = "--python", defaultValue = "python3", paramLabel = "EXE",
      description = "The Python interpreter (default: ${DEFAULT-VALUE}).")
  String python;

  @Option(names = "--python-script", paramLabel = "FILE",
      description = "The Python side (default: bench/python/mp_bench.py, else next to the jar).")
  Path pythonScript;

  @Option(names = "--no-python", description = "Skip the Python figures.")
  boolean noPython;

  @Option(names = "--rounds", paramLabel = "N",
      description = "Timed rounds of map, applyAsync and bare JeroMQ (default: 5; with"
          + " --quick: 2).")
  Integer rounds;

  @Option(names = "--warmup-rounds", paramLabel = "N",
      description = "Untimed rounds before those (default: 2; with --quick: 1).")
  Integer warmupRounds;

  @Option(names = "--map-items", paramLabel = "N",
      description = "Ints squared by one map (default: 1,000,000; with --quick: 20,000).")
  Integer mapItems;

  @Option(names = "--async-tasks", paramLabel = "N",
      description = "applyAsync calls per round (default: 50,000; with --quick: 2,000).")
  Integer asyncTasks;

  @Option(names = "--raw-requests", paramLabel = "N",
      description = "Requests per round through bare JeroMQ (default: 200,000; with --quick:"
          + " 10,000).")
  Integer rawRequests;

  @Option(names = "--raw-in-flight", paramLabel = "N",
      description = "Requests kept in flight through bare JeroMQ (default: 1,000, also with"
          + " --quick).")
  Integer rawInFlight;

  @Option(names = "--apply-warmup", paramLabel = "N",
      description = "Untimed apply calls (default: 2,000; with --quick: 200).")
  Integer applyWarmup;

  @Option(names = "--apply-calls", paramLabel = "N",
      description = "Timed apply calls (default: 5,000; with --quick: 500).")
  Integer applyCalls;

  @Option(names = "--factor-count", paramLabel = "N",
      description = "Ints factored by Java (default: 200,000; with --quick: 5,000).")
  Integer factorCount;

  @Option(names = "--python-factor-count", paramLabel = "N",
      description = "Ints factored by Python (default: 10,000; with --quick: 500).")
  Integer pythonFactorCount;

  @Option(names = "--startup-runs", paramLabel = "N",
      description = "Timed fresh pools, after one cold run (default: 5; with --quick: 2).")
  Integer startupRuns;

  private final List<String> args;

  private Main(List<String> args) {
    this.args = args;
  }

  /**
   * Runs the harness; see {@code --help}.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main(List.of(args))).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    List<Benchmark> selected = select();
    Sizes sizes = sizes();
    String startedAt = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    PythonSide pythonSide = noPython ? PythonSide.disabled("--no-python was given")
        : PythonSide.locate(python, scriptPath());
    if (!pythonSide.available()) {
      System.err.println("mp4j-bench: Python figures skipped: " + pythonSide.missingReason());
    }
    Benchmark.Context context = new Benchmark.Context(sizes, processes, pythonSide);

    Map<Benchmark, Section> results = new LinkedHashMap<>();
    boolean failed = false;
    for (Benchmark benchmark : runOrder(selected)) {
      System.err.println("mp4j-bench: running " + benchmark.key());
      Section section;
      try {
        section = benchmark.run(context);
      } catch (Exception e) {
        failed = true;
        e.printStackTrace();
        section = new Section(benchmark.key(), benchmark.title(), "");
        section.note("failed: " + e);
      }
      results.put(benchmark, section);
    }

    List<Report.Numbered> numbered = new ArrayList<>();
    for (Benchmark benchmark : selected) {
      numbered.add(new Report.Numbered(BENCHMARKS.indexOf(benchmark) + 1,
          results.get(benchmark)));
    }
    Report report = new Report(machine(pythonSide), command(), startedAt, quick, numbered);
    report.print(System.out);
    if (write != null) {
      Path parent = write.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(write, report.markdown(), StandardCharsets.UTF_8);
      System.out.println("wrote " + write);
    }
    return failed ? 1 : 0;
  }

  private List<Benchmark> select() {
    if (only.isEmpty()) {
      return BENCHMARKS;
    }
    List<Benchmark> selected = new ArrayList<>();
    for (Benchmark benchmark : BENCHMARKS) {
      if (only.contains(benchmark.key())) {
        selected.add(benchmark);
      }
    }
    List<String> known = BENCHMARKS.stream().map(Benchmark::key).toList();
    List<String> unknown = only.stream().filter(name -> !known.contains(name)).toList();
    if (!unknown.isEmpty()) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "unknown benchmark " + unknown + "; known: " + known);
    }
    return selected;
  }

  /**
   * Start-up runs first, so that its cold run is the first pool this JVM creates; the others
   * keep the order.
   */
  private static List<Benchmark> runOrder(List<Benchmark> selected) {
    List<Benchmark> order = new ArrayList<>();
    selected.stream().filter(b -> b instanceof StartupBenchmark).forEach(order::add);
    selected.stream().filter(b -> !(b instanceof StartupBenchmark)).forEach(order::add);
    return order;
  }

  private Sizes sizes() {
    Sizes base = quick ? Sizes.quick() : Sizes.full();
    Sizes sizes = new Sizes(
        or(warmupRounds, base.warmupRounds()),
        or(rounds, base.rounds()),
        or(mapItems, base.mapItems()),
        or(asyncTasks, base.asyncTasks()),
        or(rawRequests, base.rawRequests()),
        or(rawInFlight, base.rawInFlight()),
        or(applyWarmup, base.applyWarmup()),
        or(applyCalls, base.applyCalls()),
        or(factorCount, base.factorCount()),
        base.factorWarmup(),
        or(pythonFactorCount, base.pythonFactorCount()),
        base.pythonFactorWarmup(),
        or(startupRuns, base.startupRuns()),
        base.queueItems(),
        base.pipeCalls(),
        base.processCycles());
    if (sizes.rounds() < 1 || sizes.mapItems() < 1 || sizes.asyncTasks() < 1
        || sizes.rawRequests() < 1 || sizes.rawInFlight() < 1 || sizes.applyCalls() < 1
        || sizes.factorCount() < 1 || sizes.pythonFactorCount() < 1 || sizes.startupRuns() < 1
        || sizes.warmupRounds() < 0 || sizes.applyWarmup() < 0 || processes < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "sizes, rounds and --processes must be at least 1 (warm-ups at least 0)");
    }
    return sizes;
  }

  private static int or(Integer value, int fallback) {
    return value != null ? value : fallback;
  }

  /** The script under the working directory, else where it sits relative to the bench jar. */
  private Path scriptPath() {
    if (pythonScript != null) {
      return pythonScript;
    }
    Path relative = Path.of("bench", "python", "mp_bench.py");
    if (Files.isRegularFile(relative)) {
      return relative;
    }
    try {
      Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // bench/target/mp4j-bench.jar -> bench/python/mp_bench.py
      Path beside = jar.getParent().resolveSibling("python").resolve("mp_bench.py");
      if (Files.isRegularFile(beside)) {
        return beside;
      }
    } catch (Exception e) {
      // No code source to go by; report the usual path as missing.
    }
    return relative;
  }

  /** The command line as it can be run again from the repository root. */
  private String command() {
    String classpath = System.getProperty("java.class.path");
    String launcher = classpath.endsWith(".jar") && !classpath.contains(java.io.File.pathSeparator)
        ? "java -jar " + classpath : "java -cp " + classpath + " " + Main.class.getName();
    return args.isEmpty() ? launcher : launcher + " " + args.stream().map(Main::quote)
        .collect(Collectors.joining(" "));
  }

  private static String quote(String arg) {
    return arg.matches("[A-Za-z0-9_./:=,+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }

  private static Map<String, String> machine(PythonSide python) {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("Cores", Runtime.getRuntime().availableProcessors()
        + " (Runtime.availableProcessors)");
    String cpu = cpuModel();
    if (cpu != null) {
      machine.put("CPU", cpu);
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      machine.put("Memory", String.format(Locale.US, "%.1f GiB",
          os.getTotalMemorySize() / (double) (1L << 30)));
    }
    machine.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version")
        + " " + System.getProperty("os.arch"));
    machine.put("Java", javaVersion());
    machine.put("Python", python.available()
        ? python.version() + " (default start method: " + python.defaultStartMethod() + ")"
        : "not measured: " + python.missingReason());
    return machine;
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).strip())
          .findFirst().orElse(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** What {@code java -version} prints for the java that runs this harness and its workers. */
  private static String javaVersion() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try {
      Process process = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
      String output;
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        output = reader.lines().collect(Collectors.joining("; "));
      }
      process.waitFor();
      return output;
    } catch (IOException e) {
      return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }
  }
}
