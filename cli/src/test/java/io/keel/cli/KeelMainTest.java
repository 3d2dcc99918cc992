package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KeelMainTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = KeelMain.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsCommandsAndExamples() {
    Run run = run("--help");
    assertEquals(0, run.exitCode());
    assertTrue(run.out().contains("Usage: keel"), run.out());
    assertTrue(run.out().contains("version"), run.out());
    assertTrue(run.out().contains("Examples:"), run.out());
  }

  @Test
  void versionNamesTheBuildVersion() {
    Run run = run("--version");
    assertEquals(0, run.exitCode());
    assertTrue(run.out().startsWith("keel " + VersionCommand.keelVersion()), run.out());
    assertTrue(VersionCommand.keelVersion().matches("\\d+\\.\\d+\\.\\d+.*"));
  }

  @Test
  void unknownCommandFailsWithUsageError() {
    Run run = run("no-such-command");
    assertEquals(CommandLine.ExitCode.USAGE, run.exitCode());
    assertTrue(run.err().contains("no-such-command"), run.err());
  }

  @Test
  void readingCommandsRefuseAZeroMessageLimitBeforeConnecting() {
    for (String[] args :
        new String[][] {
          {"consume", "t", "--max-messages", "0", "-b", "127.0.0.1:1"},
          {"share", "consume", "t", "--group", "g", "-n", "0", "-b", "127.0.0.1:1"}
        }) {
      Run run = run(args);
      assertEquals(CommandLine.ExitCode.USAGE, run.exitCode(), run.err());
      assertTrue(run.err().contains("--max-messages must be at least 1, was 0"), run.err());
    }
  }
}
