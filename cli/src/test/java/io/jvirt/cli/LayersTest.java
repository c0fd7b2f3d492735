package io.jvirt.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Enforces the layer arrows of shared/DESIGN.md over every module's main classes. */
class LayersTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jvirt");

    @Test
    void onlySysTouchesNativeCode() {
        noClasses().that().resideOutsideOfPackage("io.jvirt.sys..")
                .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
                .because("DESIGN.md: sys is the ONLY module that touches native code")
                .check(CLASSES);
    }

    @Test
    void layersPointDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("io.jvirt.cli..")
                .layer("manager").definedBy("io.jvirt.manager..")
                .layer("vmm").definedBy("io.jvirt.vmm..")
                .layer("block").definedBy("io.jvirt.block..")
                .layer("net").definedBy("io.jvirt.net..")
                .layer("sys").definedBy("io.jvirt.sys..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("manager").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("vmm").mayOnlyBeAccessedByLayers("cli", "manager")
                .whereLayer("block").mayOnlyBeAccessedByLayers("cli", "manager", "vmm")
                .whereLayer("net").mayOnlyBeAccessedByLayers("cli", "manager", "vmm")
                .whereLayer("sys").mayOnlyBeAccessedByLayers("cli", "manager", "vmm", "net")
                .withOptionalLayers(true)
                .check(CLASSES);
    }
}
