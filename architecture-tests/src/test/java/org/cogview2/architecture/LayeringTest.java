package org.cogview2.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module layering, checked on the compiled classes of every module (test classes excluded):
 * <ul>
 *   <li>{@code api} and {@code spi} depend on nothing of ours (nor on each other);</li>
 *   <li>backends depend only on the SPI (and its optional support module);</li>
 *   <li>the SPI a vendor implements knows nothing of the support module, and model code never uses it;</li>
 *   <li>model code (models, tokenizer, checkpoint) never depends on a concrete backend;</li>
 *   <li>no cycles between the modules' packages.</li>
 * </ul>
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.cogview2");
    }

    private static String[] ours(String... allowed) {
        String[] out = new String[allowed.length + 1];
        out[0] = "java..";
        System.arraycopy(allowed, 0, out, 1, allowed.length);
        return out;
    }

    @Test
    void modules_were_imported() {
        for (String pkg : new String[]{"api", "spi", "spi.support", "checkpoint", "models", "tokenizer.icetk", "backend.reference", "backend.cuda", "backend.vector", "backend.template", "conformance", "conformance.golden", "cli", "guice", "dataset", "libtorch", "training", "demomodels"}) {
            org.junit.jupiter.api.Assertions.assertTrue(
                    classes.stream().anyMatch(c -> c.getPackageName().startsWith("org.cogview2." + pkg)),
                    "no classes of org.cogview2." + pkg + " on the class path: the rules below would pass vacuously");
        }
    }

    @Test
    void api_depends_on_nothing_of_ours() {
        ArchRule rule = classes().that().resideInAPackage("org.cogview2.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(ours("org.cogview2.api.."));
        rule.check(classes);
    }

    @Test
    void spi_depends_on_nothing_of_ours() {
        ArchRule rule = classes().that().resideInAPackage("org.cogview2.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(ours("org.cogview2.spi.."));
        rule.check(classes);
    }

    @Test
    void the_spi_knows_nothing_of_its_support_module() {
        // A vendor may implement the SPI alone: the support module is plumbing beside it, never under it.
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.spi")
                .should().dependOnClassesThat().resideInAPackage("org.cogview2.spi.support..");
        rule.check(classes);
    }

    @Test
    void the_kit_without_its_golden_half_knows_nothing_of_the_models() {
        // A vendor's test class path pulls the model code only when it adds cogview2-conformance-golden.
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.conformance..")
                .and().resideOutsideOfPackage("org.cogview2.conformance.golden..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.api..", "org.cogview2.conformance.golden..");
        rule.check(classes);
    }

    @Test
    void the_kit_runs_without_junit() {
        // Certification.run and cogview2 certify need no test framework; only the adapter uses JUnit.
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.conformance..")
                .and().doNotHaveSimpleName("BackendConformanceKit")
                .and().resideOutsideOfPackage("org.cogview2.conformance.golden..")
                .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.opentest4j..");
        rule.check(classes);
    }

    @Test
    void model_code_never_uses_backend_plumbing() {
        ArchRule rule = noClasses().that().resideInAnyPackage("org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.checkpoint..", "org.cogview2.api..", "org.cogview2.guice..", "org.cogview2.cli..")
                .should().dependOnClassesThat().resideInAPackage("org.cogview2.spi.support..");
        rule.check(classes);
    }

    @Test
    void backends_depend_only_on_the_spi() {
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.backend..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.api..", "org.cogview2.checkpoint..",
                        "org.cogview2.models..", "org.cogview2.tokenizer..", "org.cogview2.conformance..",
                        "org.cogview2.cli..", "org.cogview2.guice..");
        rule.check(classes);
    }

    @Test
    void backends_do_not_depend_on_each_other() {
        slices().matching("org.cogview2.backend.(*)..").should().notDependOnEachOther().check(classes);
    }

    @Test
    void model_code_never_depends_on_a_concrete_backend() {
        ArchRule rule = noClasses().that().resideInAnyPackage("org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.checkpoint..", "org.cogview2.guice..")
                .should().dependOnClassesThat().resideInAPackage("org.cogview2.backend..");
        rule.check(classes);
    }

    @Test
    void file_formats_know_nothing_of_models() {
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.checkpoint..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.conformance..", "org.cogview2.cli..");
        rule.check(classes);
    }

    @Test
    void data_sets_depend_on_nothing_of_ours() {
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.dataset..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.api..", "org.cogview2.spi..",
                        "org.cogview2.checkpoint..", "org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.backend..", "org.cogview2.libtorch..", "org.cogview2.training..", "org.cogview2.cli..");
        rule.check(classes);
    }

    @Test
    void the_shipped_model_set_depends_on_nothing_of_ours() {
        // A user can depend on the trained files alone (and an embedding framework can unpack them for its own loader).
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.demomodels..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.api..", "org.cogview2.spi..",
                        "org.cogview2.checkpoint..", "org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.backend..", "org.cogview2.libtorch..", "org.cogview2.training..", "org.cogview2.cli..");
        rule.check(classes);
    }

    @Test
    void the_runtime_never_depends_on_libtorch_or_the_trainer() {
        // The trainer and the libtorch graphs are tools beside the SDK: a user's class path never needs DJL. The
        // command line reaches the trainer only by class name, when the launcher put it on the class path.
        ArchRule rule = noClasses().that().resideInAnyPackage("org.cogview2.api..", "org.cogview2.spi..",
                        "org.cogview2.checkpoint..", "org.cogview2.models..", "org.cogview2.tokenizer..",
                        "org.cogview2.backend..", "org.cogview2.conformance..", "org.cogview2.guice..",
                        "org.cogview2.cli..", "org.cogview2.dataset..", "org.cogview2.demomodels..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.libtorch..", "org.cogview2.training..", "ai.djl..");
        rule.check(classes);
    }

    @Test
    void the_libtorch_graphs_know_nothing_of_training_or_backends() {
        ArchRule rule = noClasses().that().resideInAPackage("org.cogview2.libtorch..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cogview2.training..", "org.cogview2.cli..",
                        "org.cogview2.backend..");
        rule.check(classes);
    }

    @Test
    void no_cycles_between_modules() {
        slices().matching("org.cogview2.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void no_cycles_between_packages_inside_the_models() {
        slices().matching("org.cogview2.models.(*)..").should().beFreeOfCycles().check(classes);
    }
}
