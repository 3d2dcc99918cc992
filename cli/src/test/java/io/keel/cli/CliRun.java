package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

/** One {@code keel} command run in this JVM: its exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {

  /** Runs with {@code stdin}, adding {@code --bootstrap bootstrap} unless it asks for help. */
  static CliRun against(String bootstrap, String stdin, String... args) {
    if (Arrays.asList(args).contains("--help")) {
      return exactly(stdin, args);
    }
    String[] withBootstrap =
        IntStream.range(0, args.length + 2)
            .mapToObj(i -> i < args.length ? args[i] : i == args.length ? "--bootstrap" : bootstrap)
            .toArray(String[]::new);
    return exactly(stdin, withBootstrap);
  }

  /** Runs exactly these arguments, capturing both picocli's and System's streams. */
  static CliRun exactly(String stdin, String... args) {
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      var cli = KeelMain.commandLine();
      StringWriter picocliOut = new StringWriter();
      cli.setOut(new PrintWriter(picocliOut));
      cli.setErr(new PrintWriter(err));
      int code = cli.execute(args);
      return new CliRun(code, out.toString(StandardCharsets.UTF_8) + picocliOut, err.toString());
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
    }
  }

  void assertOk() {
    assertEquals(0, exitCode, () -> "out: " + out + "\nerr: " + err);
  }

  /** Exit code {@code code} and one "keel: ..." line on stderr, no stack trace. */
  void assertFailsWithOneLine(int code, String... mentions) {
    String context = "out: " + out + "\nerr: " + err;
    assertEquals(code, exitCode, context);
    assertFalse(err.contains("\tat "), "no stack trace: " + context);
    assertFalse(err.contains("Exception:"), "no exception class: " + context);
    for (String mention : mentions) {
      assertTrue(err.contains(mention), mention + " in " + context);
    }
  }
}
