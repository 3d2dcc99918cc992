package io.keel.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/** The public client API speaks its own types; generated protobuf stays inside internal. */
class PublicApiArchTest {
  private static final JavaClasses CLIENT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.keel.client");

  private static final DescribedPredicate<JavaClass> PROTO =
      DescribedPredicate.describe(
          "generated io.keel.proto type", c -> c.getPackageName().startsWith("io.keel.proto"));

  private static ArchRule publicApiOf(String pkg) {
    return codeUnits()
        .that()
        .areDeclaredInClassesThat()
        .resideInAPackage(pkg)
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .and()
        .arePublic()
        .should(notInvolve());
  }

  @Test
  void publicMethodsAndConstructorsDoNotExposeProtoTypes() {
    publicApiOf("io.keel.client").check(CLIENT);
  }

  @Test
  void theRuleCatchesExposedProtoTypes() {
    // internal maps proto errors publicly (Errors.toException(ErrorDetail, ...)): must be flagged.
    assertTrue(publicApiOf("io.keel.client.internal").evaluate(CLIENT).hasViolation());
  }

  @Test
  void publicFieldsDoNotExposeProtoTypes() {
    fields()
        .that()
        .areDeclaredInClassesThat()
        .resideInAPackage("io.keel.client")
        .and()
        .arePublic()
        .should(
            new ArchCondition<JavaField>("not have a generated proto type") {
              @Override
              public void check(JavaField field, ConditionEvents events) {
                boolean bad = PROTO.test(field.getRawType());
                events.add(new SimpleConditionEvent(field, !bad, field.getFullName()));
              }
            })
        .check(CLIENT);
  }

  @Test
  void publicTypesDoNotExtendProtoTypes() {
    noClasses()
        .that()
        .resideInAPackage("io.keel.client")
        .should()
        .beAssignableTo(PROTO)
        .check(CLIENT);
  }

  @Test
  void clientDependsOnNoServerModule() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.keel.broker..", "io.keel.raft..", "io.keel.logstore..")
        .check(CLIENT);
  }

  private static ArchCondition<JavaCodeUnit> notInvolve() {
    return new ArchCondition<>("not take or return generated proto types") {
      @Override
      public void check(JavaCodeUnit unit, ConditionEvents events) {
        boolean bad = unit.getAllInvolvedRawTypes().stream().anyMatch(PROTO);
        events.add(
            new SimpleConditionEvent(unit, !bad, unit.getFullName() + " exposes a proto type"));
      }
    };
  }
}
