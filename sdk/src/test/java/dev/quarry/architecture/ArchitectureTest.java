package dev.quarry.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps Quarry's module boundary (see {@link BoundaryRules}) on the compiled classes of every
 * library module the facade is built from: core, cache, realtime, optimistic, store, sdk and
 * testing. The second half runs the same rules on planted violations in {@code dev.quarry.fixturea}
 * and {@code dev.quarry.fixtureb} (test classes), so a rule that stopped seeing anything would fail
 * here.
 */
class ArchitectureTest {
  private static final JavaClasses LIBRARY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.quarry");

  private static final JavaClasses PLANTED =
      new ClassFileImporter().importPackages("dev.quarry.fixturea", "dev.quarry.fixtureb");

  @Test
  void theImportSeesEveryLibraryModule() {
    assertThat(LIBRARY.stream().map(c -> BoundaryRules.module(c.getPackageName())).distinct())
        .contains("core", "cache", "realtime", "optimistic", "store", "sdk", "testing");
  }

  @Test
  void apiPackagesShowNoInternalTypeInAPublicSignature() {
    assertThat(BoundaryRules.internalTypesInApiSignatures(LIBRARY)).isEmpty();
  }

  @Test
  void noModuleUsesAnotherModulesInternalsExceptCores() {
    assertThat(BoundaryRules.foreignInternalDependencies(LIBRARY)).isEmpty();
  }

  @Test
  void everyPublicFieldIsFinal() {
    assertThat(BoundaryRules.mutablePublicFields(LIBRARY)).isEmpty();
  }

  @Test
  void plantedViolations_areEachReported() {
    assertThat(BoundaryRules.internalTypesInApiSignatures(PLANTED))
        .containsExactlyInAnyOrder(
            "dev.quarry.fixturea.LeakyApi.engine() returns dev.quarry.fixturea.internal.Engine",
            "dev.quarry.fixturea.LeakyApi.all() returns dev.quarry.fixturea.internal.Engine",
            "dev.quarry.fixturea.LeakyApi.use(dev.quarry.fixturea.internal.Engine) takes"
                + " dev.quarry.fixturea.internal.Engine");
    assertThat(BoundaryRules.foreignInternalDependencies(PLANTED))
        .contains(
            "dev.quarry.fixtureb.Reacher (fixtureb) uses dev.quarry.fixturea.internal.Engine"
                + " (fixturea)");
    assertThat(BoundaryRules.mutablePublicFields(PLANTED))
        .containsExactly("dev.quarry.fixturea.LeakyApi.counter");
  }
}
