package io.keel.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The repository's deploy/ folder, its files parsed into Jackson trees for JSON-pointer access. */
final class DeployTree {
  static final ObjectMapper JSON = new ObjectMapper();

  private DeployTree() {}

  /** The repository root: the nearest ancestor of the working directory holding deploy/. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no deploy/ above " + Path.of("").toAbsolutePath());
  }

  static Path deploy(String relative) {
    return root().resolve("deploy").resolve(relative);
  }

  /** Files under deploy/ ending in one of the suffixes; Helm templates are Go text, not YAML. */
  static List<Path> files(String... suffixes) {
    Path helmTemplates = deploy("kubernetes/keel/templates");
    try (Stream<Path> walk = Files.walk(deploy("."))) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !p.normalize().startsWith(helmTemplates))
          .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a YAML file, as JSON trees; fails on an empty document. */
  static List<JsonNode> yamlDocuments(Path file) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    List<JsonNode> documents = new ArrayList<>();
    try {
      for (Object document : new Yaml(options).loadAll(Files.readString(file))) {
        documents.add(JSON.valueToTree(Objects.requireNonNull(document, "empty document")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
    }
    return documents;
  }

  static JsonNode yaml(Path file) {
    List<JsonNode> documents = yamlDocuments(file);
    if (documents.size() != 1) {
      throw new AssertionError(file + " has " + documents.size() + " documents, expected 1");
    }
    return documents.getFirst();
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new AssertionError(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The node at a JSON pointer, failing with the pointer when it is missing. */
  static JsonNode at(JsonNode node, String pointer) {
    JsonNode found = node.at(pointer);
    if (found.isMissingNode()) {
      String context = node.toString();
      throw new AssertionError(
          "missing " + pointer + " in " + context.substring(0, Math.min(200, context.length())));
    }
    return found;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
