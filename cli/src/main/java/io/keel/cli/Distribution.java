package io.keel.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How to start another JVM on this distribution: the same java and classpath as this one. */
final class Distribution {
  private Distribution() {}

  static List<String> javaCommand(String mainClass, String... args) {
    String java = System.getenv("KEEL_JAVA");
    if (java == null) {
      java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
    String classpath = System.getenv("KEEL_CLASSPATH");
    if (classpath == null) {
      // Under surefire java.class.path may be just its booter jar; this holds the real one.
      classpath = System.getProperty("surefire.test.class.path");
    }
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    List<String> command = new ArrayList<>(List.of(java));
    String flags = System.getenv("KEEL_JVM_FLAGS");
    if (flags != null && !flags.isBlank()) {
      command.addAll(List.of(flags.trim().split("\\s+")));
    }
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(List.of(args));
    return command;
  }
}
