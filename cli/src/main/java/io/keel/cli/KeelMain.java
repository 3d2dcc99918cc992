package io.keel.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code keel} command: one entry point for running, operating and testing Keel. */
@Command(
    name = "keel",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = VersionCommand.Provider.class,
    description = "Keel: a Raft-replicated, Kafka-style clustered log.",
    subcommands = {
      VersionCommand.class,
      DevCommand.class,
      BrokerCommand.class,
      TopicCommand.class,
      ProduceCommand.class,
      ConsumeCommand.class,
      RequestCommand.class,
      GroupCommand.class,
      ShareCommand.class,
      ClusterCommand.class,
      PartitionCommand.class,
      BenchCommand.class,
      ChaosCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  keel version",
      "  keel dev            # a local three-node cluster"
    })
public final class KeelMain {

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description =
          "Log level: TRACE, DEBUG, INFO, WARN, ERROR (default: $KEEL_LOG_LEVEL or INFO).",
      scope = CommandLine.ScopeType.INHERIT)
  void setLogLevel(String level) {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
  }

  @Option(
      names = "--verbose",
      description = "Print stack traces with errors.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new KeelMain());
    cli.setExecutionExceptionHandler(new ErrorHandler());
    return cli;
  }
}
