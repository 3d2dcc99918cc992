package io.keel.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code keel version}: the build's version and the JVM it runs on. */
@Command(name = "version", description = "Print Keel's version and the Java runtime in use.")
final class VersionCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    for (String line : new Provider().getVersion()) {
      System.out.println(line);
    }
    return 0;
  }

  static String keelVersion() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("/keel-version.properties")) {
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "keel " + keelVersion(),
        "java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"
      };
    }
  }
}
