package org.cogview2.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * The {@code cogview2} command. Errors are reported as one sentence (exit status 1) without a stack trace unless
 * {@code --verbose} is given.
 */
@Command(name = "cogview2",
        mixinStandardHelpOptions = true,
        version = "cogview2 0.1.0",
        description = "CogView2 text-to-image generation on the JVM.",
        subcommands = {GenerateCommand.class, CompleteCommand.class, TokenizeCommand.class,
                BackendsCommand.class, CertifyCommand.class, GoldensCommand.class, BenchCommand.class,
                DatasetCommand.class, EvaluateCommand.class, ConvertCommand.class, GalleryCommand.class})
public final class CogView2Command implements Runnable {

    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * The training module's {@code train} command when it is on the class path (the launcher adds it, with libtorch,
     * for {@code cogview2 train}), else a command that says how to get it. Looked up by name because the training
     * module depends on libtorch, which the runnable jar leaves out.
     */
    static Object trainCommand() {
        try {
            return Class.forName(TRAIN_COMMAND).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new TrainUnavailableCommand();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + TRAIN_COMMAND, e);
        }
    }

    static final String TRAIN_COMMAND = "org.cogview2.training.cli.TrainCommand";

    /** Runs the command line with the given streams; returns the exit status. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CogView2Command root = new CogView2Command();
        CommandLine cli = new CommandLine(root);
        cli.addSubcommand("train", trainCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (verbose) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("error: " + ErrorMessages.describe(e));
            }
            return 1;
        });
        return cli.execute(args);
    }
}
