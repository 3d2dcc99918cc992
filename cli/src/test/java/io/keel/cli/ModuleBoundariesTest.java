package io.keel.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph, checked on the assembled distribution: client -> proto; broker -> raft,
 * log-store, proto; log-store -> raft; raft -> nothing of ours.
 */
class ModuleBoundariesTest {
  private static JavaClasses keel;

  @BeforeAll
  static void importKeel() {
    keel =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.keel");
  }

  @Test
  void raftDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.raft..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.keel.proto..", "io.keel.logstore..", "io.keel.broker..", "io.keel.client..")
        .check(keel);
  }

  @Test
  void logStoreDependsOnlyOnRaft() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.logstore..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.keel.proto..", "io.keel.broker..", "io.keel.client..")
        .check(keel);
  }

  @Test
  void clientDependsOnlyOnProto() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.keel.raft..", "io.keel.logstore..", "io.keel.broker..")
        .check(keel);
  }

  @Test
  void brokerDoesNotDependOnClientOrTools() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.broker..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.keel.client..", "io.keel.chaos..", "io.keel.cli..")
        .check(keel);
  }

  @Test
  void protoDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.proto..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.keel.raft..", "io.keel.logstore..", "io.keel.broker..", "io.keel.client..")
        .check(keel);
  }
}
