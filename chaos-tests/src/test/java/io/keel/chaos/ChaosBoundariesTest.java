package io.keel.chaos;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The history and the checker are pure: no processes, sockets, clocks or harness code. */
class ChaosBoundariesTest {
  private static JavaClasses chaos;

  @BeforeAll
  static void importChaos() {
    // Only this module's classes: scanning every jar on the classpath (RocksDB's is huge) and
    // resolving library classes would make the import slow.
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
    chaos =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importUrl(ChaosRunner.class.getProtectionDomain().getCodeSource().getLocation());
  }

  @Test
  void checkerDependsOnlyOnTheHistory() {
    noClasses()
        .that()
        .resideInAnyPackage("io.keel.chaos.checker..", "io.keel.chaos.history..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.keel.chaos.cluster..",
            "io.keel.chaos.net..",
            "io.keel.chaos.nemesis..",
            "io.keel.chaos.report..",
            "io.keel.chaos.workload..",
            "java.net..")
        .check(chaos);
  }

  @Test
  void checkerReadsNoClock() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.chaos.checker..")
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProcessBuilder.class.getName())
        .check(chaos);
  }
}
