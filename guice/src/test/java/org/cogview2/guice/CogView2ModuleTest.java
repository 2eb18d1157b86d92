package org.cogview2.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.Tokenizer;
import org.cogview2.models.demo.DemoModels;
import org.cogview2.spi.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CogView2ModuleTest {

    @Test
    void binds_the_selected_backend_and_the_pipeline_components_as_singletons(@TempDir Path dir) {
        Path models = dir.resolve("models");
        DemoModels.ensure(models);
        Properties p = new Properties();
        p.setProperty(CogView2Module.MODELS, models.toString());
        p.setProperty(CogView2Module.BACKEND, "cpu-reference");
        Injector injector = Guice.createInjector(CogView2Module.fromProperties(p));
        try {
            Backend backend = injector.getInstance(Backend.class);
            assertEquals("cpu-reference", backend.name());
            CogView2Pipeline pipeline = injector.getInstance(CogView2Pipeline.class);
            assertSame(pipeline, injector.getInstance(CogView2Pipeline.class));
            assertEquals("cpu-reference", pipeline.info().backend());
            Tokenizer tokenizer = injector.getInstance(Tokenizer.class);
            assertSame(pipeline.tokenizer(), tokenizer);
            assertSame(pipeline.languageModel(), injector.getInstance(LanguageModel.class));
            int[] ids = tokenizer.encode("a tiger<start_of_image>");
            assertEquals(tokenizer.specialTokenId(SpecialToken.START_OF_IMAGE), ids[ids.length - 1]);
        } finally {
            CogView2Module.shutdown(injector);
        }
        assertEquals(0, injector.getInstance(Backend.class).memoryStats().liveTensors(), "everything released");
    }

    @Test
    void an_unknown_residency_is_one_clear_error() {
        Properties p = new Properties();
        p.setProperty(CogView2Module.RESIDENCY, "SOME_STAGES");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CogView2Module.fromProperties(p));
        assertTrue(e.getMessage().contains("cogview2.residency") && e.getMessage().contains("ONE_STAGE"), e.getMessage());
    }
}
