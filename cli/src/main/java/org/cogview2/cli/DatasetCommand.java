package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import org.cogview2.dataset.emoji.BuildProgress;
import org.cogview2.dataset.emoji.BuildReport;
import org.cogview2.dataset.emoji.EmojiDatasetBuilder;
import org.cogview2.dataset.emoji.EmojiInputs;
import org.cogview2.dataset.emoji.EmojiSources;
import org.cogview2.dataset.npm.NpmFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code cogview2 dataset ...}: builds training data sets. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Build training data sets.",
        subcommands = DatasetCommand.Emoji.class)
final class DatasetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code cogview2 dataset emoji --out DIR}: the bilingual emoji set. Fetches the pinned npm packages with the
     * machine's npm (once; verified tarballs are reused), draws every picture at 160 and 480 pixels, and writes the
     * manifest, the split, NOTICE and dataset.json. Running it again on the same folder continues an interrupted build.
     */
    @Command(name = "emoji", mixinStandardHelpOptions = true, description = "Build the bilingual (English, Chinese) emoji "
            + "text-image set from pinned npm packages: captions from emojibase-data, pictures from Twemoji, Noto Emoji and "
            + "Fluent Emoji (flat) rasterised at 160x160 and 480x480. Needs npm on the first run; a second run reuses the "
            + "verified tarballs and every picture already drawn.")
    static final class Emoji implements Callable<Integer> {

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder of the data set (created; an existing build there is continued).")
        Path outDir;

        @Option(names = "--threads", paramLabel = "N", description = "Threads drawing pictures (default: the number of cores).")
        Integer threads;

        @Option(names = "--styles", split = ",", paramLabel = "STYLE", defaultValue = "twemoji,noto,fluent-flat",
                description = "Picture sets to include, comma-separated (default: ${DEFAULT-VALUE}).")
        List<String> styles;

        @Option(names = "--sources", paramLabel = "DIR", description = "Where the npm tarballs are kept (default: DIR/sources).")
        Path sources;

        @Option(names = "--npm", paramLabel = "PROGRAM", defaultValue = "npm", description = "The npm program (default: ${DEFAULT-VALUE} from the PATH).")
        String npm;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (String style : styles) {
                if (!EmojiSources.STYLES.contains(style)) {
                    throw new InvalidInputException("unknown style '" + style + "' in --styles; known: " + String.join(", ", EmojiSources.STYLES));
                }
            }
            int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (workers < 1) {
                throw new InvalidInputException("--threads must be at least 1, got " + workers);
            }
            // Batik draws through AWT; no window is ever opened.
            System.setProperty("java.awt.headless", "true");
            long start = System.nanoTime();
            Path sourcesDir = sources != null ? sources : outDir.resolve("sources");
            EmojiInputs inputs = EmojiSources.fetch(new NpmFetcher(npm, line -> println(out, line)), sourcesDir, styles);
            double fetchSeconds = seconds(start);
            BuildReport report = new EmojiDatasetBuilder(inputs, outDir, workers, new LineProgress(out)).build();
            println(out, "");
            report.summaryLines().forEach(line -> println(out, line));
            println(out, String.format(Locale.ROOT, "wrote %s (manifest.jsonl, dataset.json, NOTICE, READY)", outDir));
            println(out, String.format(Locale.ROOT, "wall time: %.1f s (sources %.1f s, build %.1f s)",
                    seconds(start), fetchSeconds, report.wallTime().toMillis() / 1000.0));
            return 0;
        }

        private static double seconds(long startNanos) {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        private static void println(PrintWriter out, String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }

    /** Prints steps, and picture progress every 5%; safe to call from the drawing threads. */
    private static final class LineProgress implements BuildProgress {

        private final PrintWriter out;
        private final long start = System.nanoTime();
        private int lastStep = -1;

        LineProgress(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void message(String line) {
            Emoji.println(out, line);
        }

        @Override
        public synchronized void pictures(int done, int total) {
            int step = total == 0 ? 20 : done * 20 / total;
            if (step != lastStep) {
                lastStep = step;
                Emoji.println(out, String.format(Locale.ROOT, "  pictures %d/%d (%d%%), %.0f s", done, total,
                        total == 0 ? 100 : done * 100 / total, (System.nanoTime() - start) / 1e9));
            }
        }
    }
}
