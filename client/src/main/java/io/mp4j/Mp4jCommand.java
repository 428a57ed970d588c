package io.mp4j;

import io.mp4j.broker.BrokerMain;
import io.mp4j.worker.WorkerMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code mp4j} command line: {@code mp4j broker}, {@code mp4j worker} and
 * {@code mp4j status}, each with {@code --help}. The build makes it {@code client/target/mp4j.jar}
 * with its libraries in {@code client/target/lib/}; the {@code mp4j} script at the top of the
 * repository runs it.
 */
@Command(
    name = "mp4j",
    mixinStandardHelpOptions = true,
    versionProvider = Mp4jCommand.Version.class,
    subcommands = {BrokerMain.class, WorkerMain.class, StatusCommand.class,
        CommandLine.HelpCommand.class},
    description = "Python's multiprocessing for the JVM: run a broker, worker daemons, and ask a"
        + " broker what it is doing.")
public final class Mp4jCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /**
   * Runs the command line; the exit status is the subcommand's.
   *
   * @param args a subcommand and its options
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests that run it in this JVM. */
  static CommandLine commandLine() {
    return new CommandLine(new Mp4jCommand());
  }

  /** The version the build wrote into the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Mp4jCommand.class.getPackage().getImplementationVersion();
      return new String[] {"mp4j " + (version == null ? "(unpackaged build)" : version)};
    }
  }

  @Override
  public void run() {
    // Without a subcommand there is nothing to do: picocli prints this message and the usage.
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: broker,"
        + " worker or status");
  }
}
