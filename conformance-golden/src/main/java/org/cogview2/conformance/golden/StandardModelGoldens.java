package org.cogview2.conformance.golden;

import org.cogview2.conformance.ModelGoldens;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The golden cases of {@link GoldenRunner#standard()} for the kit's JUnit adapter (registered with ServiceLoader). */
public final class StandardModelGoldens implements ModelGoldens {

    @Override
    public Session open(Path goldenFolder, Backend backend) {
        GoldenRunner runner = GoldenRunner.standard();
        GoldenContext context = new GoldenContext(backend);
        List<Case> cases = GoldenRunner.cases(goldenFolder).stream()
                .map(dir -> GoldenCase.read(dir, goldenFolder))
                .<Case>map(golden -> new Case() {
                    @Override
                    public String name() {
                        return golden.name();
                    }

                    @Override
                    public String kind() {
                        return golden.kind();
                    }

                    @Override
                    public Set<Capability> requires() {
                        return GoldenKinds.requiredCapabilities(golden.kind());
                    }

                    @Override
                    public String run() {
                        CaseOutcome outcome = runner.run(golden, context);
                        return outcome.passed() ? null : outcome.line();
                    }
                }).toList();
        return new Session() {
            @Override
            public List<Case> cases() {
                return cases;
            }

            @Override
            public void close() {
                context.close();
            }
        };
    }
}
