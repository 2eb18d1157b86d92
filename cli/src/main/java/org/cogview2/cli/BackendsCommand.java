package org.cogview2.cli;

import org.cogview2.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;

/** Lists every backend found on the class path, in selection order, with why it cannot run where it cannot. */
@Command(name = "backends", description = "List the compute backends found and whether they can run here.")
final class BackendsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        List<Backends.Found> found = Backends.discover().list();
        if (found.isEmpty()) {
            out.println("no backends found");
            return;
        }
        for (Backends.Found f : found) {
            out.printf("%-16s priority %3d  %s%n", f.name(), f.provider().priority(),
                    f.availability().available() ? "available" : "unavailable: " + f.availability().reason());
        }
    }
}
