package org.cogview2.conformance;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The module README lists every rule of the standard suite (so that the documentation cannot drift). */
class ReadmeTest {

    @Test
    void everyRuleIsDocumented() throws Exception {
        Path readme = Path.of("README.md");
        assumeTrue(Files.isRegularFile(readme), "run from the module folder");
        String text = Files.readString(readme);
        for (Rule rule : ConformanceSuite.standard().rules()) {
            assertTrue(text.contains("`" + rule.name() + "`"), "README.md does not list " + rule.name());
        }
        int cases = ConformanceSuite.standard().rules().stream().mapToInt(r -> r.cases().size()).sum();
        assertTrue(text.contains(ConformanceSuite.standard().rules().size() + " rules, " + cases + " cases"),
                "README.md states the rule and case counts");
    }
}
