package io.keel.chaos.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines that start a main class on this JVM's java binary and classpath. */
public final class JavaCommand {
  private JavaCommand() {}

  /** The running JVM's launcher, so children use the same JDK whatever `java` is on the PATH. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * This JVM's classpath. Under surefire with a manifest-only jar, java.class.path is just the
   * booter jar; surefire.test.class.path then holds the real one.
   */
  public static String classpath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  public static List<String> of(String mainClass, List<String> jvmArgs, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }
}
