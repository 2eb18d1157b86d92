package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.List;

/** Stands in for {@code train} when the training module is not on the class path. */
@Command(name = "train", description = "Train a part of a CogView2 model set (needs the training module: run through ./cogview2).")
final class TrainUnavailableCommand implements Runnable {

    @Unmatched
    List<String> ignored;

    @Override
    public void run() {
        throw new InvalidInputException("the training module is not on the class path: run 'cogview2 train' through the "
                + "./cogview2 launcher, which builds it (with libtorch) on first use, or add cogview2-training to the class path");
    }
}
