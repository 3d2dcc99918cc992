package io.keel.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keel completion}: prints a bash/zsh completion script. */
@Command(
    name = "completion",
    description = "Print a bash/zsh completion script for keel.",
    footer = {
      "",
      "Examples:",
      "  source <(./keel completion)",
      "  ./keel completion > /etc/bash_completion.d/keel"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine root = spec.commandLine().getParent();
    spec.commandLine().getOut().print(AutoComplete.bash("keel", root));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
