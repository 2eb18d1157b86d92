package org.cogview2.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.PostSelector;
import org.cogview2.api.Refiner;
import org.cogview2.api.SuperResolver;
import org.cogview2.api.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

/**
 * A loaded model is shared by concurrent generations, so the model code keeps no shared mutable state: no mutable
 * static fields anywhere in the models, tokenizer and checkpoint code, and the stage implementations (what a
 * pipeline shares between threads) hold only final fields. Per-run state (caches, scopes) lives in objects each run
 * creates for itself.
 */
class SharedStateTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.cogview2.models", "org.cogview2.tokenizer", "org.cogview2.checkpoint");
    }

    @Test
    void no_mutable_static_fields_in_model_code() {
        fields().that().areStatic().should().beFinal().allowEmptyShould(false).check(classes);
    }

    @Test
    void shared_stage_implementations_hold_only_final_fields() {
        fields().that().areDeclaredInClassesThat().implement(LanguageModel.class)
                .or().areDeclaredInClassesThat().implement(PostSelector.class)
                .or().areDeclaredInClassesThat().implement(SuperResolver.class)
                .or().areDeclaredInClassesThat().implement(Refiner.class)
                .or().areDeclaredInClassesThat().implement(Tokenizer.class)
                .or().areDeclaredInClassesThat().implement(CogView2Pipeline.class)
                .should().beFinal().check(classes);
    }
}
