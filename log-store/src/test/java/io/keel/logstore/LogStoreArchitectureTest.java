package io.keel.logstore;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** log-store depends on raft and RocksDB only: never on the wire formats or the layers above. */
class LogStoreArchitectureTest {
  private static JavaClasses classes;

  /** Imports only this module's main classes: scanning the whole classpath takes seconds. */
  @BeforeAll
  static void importMainClasses() throws URISyntaxException {
    Path main = Path.of(LogStore.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    classes = new ClassFileImporter().importPath(main);
  }

  @Test
  void doesNotDependOnGrpcOrProtobuf() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "com.google.protobuf..")
        .check(classes);
  }

  @Test
  void doesNotDependOnProtoBrokerOrClient() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.keel.proto..", "io.keel.broker..", "io.keel.client..")
        .check(classes);
  }
}
