package org.cogview2.training.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cogview2 train <part>}: trains one part of a CogView2 model set and writes it in the released format.
 * The launcher puts this module (and libtorch) on the class path when the command is {@code train}.
 */
@Command(name = "train",
        description = "Train a part of a CogView2 model set (written in the released file formats).",
        subcommands = {TrainTextTokenizerCommand.class, TrainImageTokenizerCommand.class, TrainCogLmCommand.class,
                TrainSuperResolutionCommand.Direct.class, TrainSuperResolutionCommand.Iterative.class, TrainClusterTableCommand.class})
public final class TrainCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
