package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import org.cogview2.conformance.golden.GoldenRunner;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code cogview2 goldens DIR}: runs the golden cases of the official code on a backend; one line per case, then
 * {@code N passed, N failed}; exit status 1 when anything failed.
 */
@Command(name = "goldens", description = "Run golden test cases (official outputs) on a backend and compare.")
final class GoldensCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Folder of case folders (each with case.json), or one case folder.")
    Path dir;

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend to run on (default: the best available).")
    String backend;

    @Option(names = "--case", paramLabel = "NAME", description = "Only cases whose name contains NAME.")
    String only;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("golden folder " + dir + " does not exist");
        }
        try (Backend selected = Backends.discover().select(backend)) {
            GoldenRunner.Summary summary = GoldenRunner.standard().run(dir, selected, spec.commandLine().getOut(),
                    name -> only == null || name.contains(only));
            return summary.failed() == 0 && !summary.outcomes().isEmpty() ? 0 : 1;
        }
    }
}
