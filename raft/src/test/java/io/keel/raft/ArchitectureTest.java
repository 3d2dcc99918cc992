package io.keel.raft;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The consensus core stays pure: no I/O frameworks, threads, clocks or unseeded randomness. */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.keel.raft");

  @Test
  void noTransportStorageOrProtobufDependencies() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "com.google.protobuf..", "org.rocksdb..")
        .check(CORE);
  }

  @Test
  void noThreadsOrConcurrency() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.util.concurrent..")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Thread.class)
        .check(CORE);
  }

  @Test
  void noWallClock() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Clock")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Instant")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.LocalDateTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .check(CORE);
  }

  @Test
  void randomnessIsInjected() {
    noClasses()
        .should()
        .callConstructor(java.util.Random.class)
        .orShould()
        .callConstructor(java.util.Random.class, long.class)
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
        .check(CORE);
  }
}
