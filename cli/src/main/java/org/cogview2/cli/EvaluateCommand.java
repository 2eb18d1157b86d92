package org.cogview2.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cogview2 evaluate <what>}: measurements of trained parts on a data set's held-out split. */
@Command(name = "evaluate", description = "Measure trained models on a data set's held-out pictures.",
        subcommands = {EvaluateImageTokenizerCommand.class, EvaluateModelSetCommand.class})
final class EvaluateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
