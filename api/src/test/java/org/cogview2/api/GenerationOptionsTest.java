package org.cogview2.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A default that an operation replaces (completion's {@code none}) and a chosen style that it keeps. */
class GenerationOptionsTest {

    @Test
    void anOperationsDefaultStyleReplacesOnlyAStyleNobodyChose() {
        GenerationOptions unset = GenerationOptions.builder().samples(3).seed(9).build();
        assertFalse(unset.styleChosen());
        GenerationOptions completion = unset.withDefaultStyle(Style.NONE);
        assertEquals(Style.NONE, completion.style());
        assertEquals(Style.NONE.stage1Sampling(), completion.stage1Sampling(), "the style's recipe comes with it");
        assertEquals(3, completion.samples());
        assertEquals(9, completion.seed());
        assertSame(unset.control().cancellation(), completion.control().cancellation(), "cancelling still reaches the run");

        GenerationOptions chosen = GenerationOptions.builder().style(Style.MAINBODY).build();
        assertTrue(chosen.styleChosen());
        assertSame(chosen, chosen.withDefaultStyle(Style.NONE), "an explicit mainbody is kept");
    }
}
