package io.keel.proto;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.keel.proto.records.RecordBatch;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * proto is the bottom of the wire stack: it knows no other Keel module, and the record batch codec
 * is plain Java (no gRPC, no protobuf) so storage and clients can use it without the RPC layer.
 */
class ProtoArchitectureTest {
  private static JavaClasses classes;

  /**
   * Imports the hand-written classes only: generated code cannot depend on Keel, and importing it
   * takes many seconds.
   */
  @BeforeAll
  static void importHandWrittenClasses() throws URISyntaxException {
    Path main =
        Path.of(RecordBatch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    // Dependencies are checked by name; resolving each one from the classpath takes seconds.
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
    classes =
        new ClassFileImporter()
            .importPaths(
                main.resolve("io/keel/proto/records"),
                main.resolve("io/keel/proto/ErrorCodes.class"));
  }

  @Test
  void dependsOnNoOtherKeelModule() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.proto..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.keel.raft..", "io.keel.logstore..", "io.keel.broker..", "io.keel.client..")
        .check(classes);
  }

  @Test
  void recordBatchCodecIsPlainJava() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.proto.records..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "com.google.protobuf..", "io.keel.proto")
        .check(classes);
  }
}
