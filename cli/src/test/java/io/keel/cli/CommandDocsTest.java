package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command tables of README.md and docs/queues.md name only commands and long options that
 * exist: each code span of a row's first cell is walked down the picocli command tree.
 */
class CommandDocsTest {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern LONG_OPTION = Pattern.compile("--[a-z][a-z-]*");

  @Test
  void documentedCommandsAndOptionsExist() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (String doc : List.of("README.md", "docs/queues.md")) {
      for (String row : Files.readAllLines(Path.of("..").resolve(doc))) {
        if (!row.startsWith("| `keel ")) {
          continue;
        }
        String firstCell = row.substring(2).split("(?<!\\\\)\\|", 2)[0];
        Matcher spans = CODE.matcher(firstCell);
        while (spans.find()) {
          checked++;
          String problem = check(spans.group(1).replace("\\|", "|"));
          if (problem != null) {
            problems.add(doc + ": `" + spans.group(1) + "`: " + problem);
          }
        }
      }
    }
    assertTrue(checked > 20, "found only " + checked + " documented commands");
    assertEquals(List.of(), problems);
  }

  @Test
  void theCheckCatchesAMissingOptionAndCommand() {
    assertEquals(
        "no option --no-such-flag on share consume", check("keel share consume T --no-such-flag"));
    assertEquals("'nosuch' is not a command", check("keel nosuch"));
  }

  /** Null when the command and its long options exist, else what is wrong. */
  private static String check(String span) {
    String[] words = span.trim().split("\\s+");
    int i = words[0].equals("keel") ? 1 : 0;
    CommandLine command = KeelMain.commandLine();
    List<String> path = new ArrayList<>();
    while (i < words.length && command.getSubcommands().containsKey(words[i])) {
      command = command.getSubcommands().get(words[i]);
      path.add(words[i++]);
    }
    if (path.isEmpty()) {
      return "'" + words[Math.min(i, words.length - 1)] + "' is not a command";
    }
    Matcher options =
        LONG_OPTION.matcher(String.join(" ", List.of(words).subList(i, words.length)));
    while (options.find()) {
      if (command.getCommandSpec().findOption(options.group()) == null) {
        return "no option " + options.group() + " on " + String.join(" ", path);
      }
    }
    return null;
  }
}
