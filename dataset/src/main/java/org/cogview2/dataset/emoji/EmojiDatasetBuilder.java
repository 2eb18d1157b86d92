package org.cogview2.dataset.emoji;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cogview2.dataset.DatasetFormatException;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.dataset.PngFiles;
import org.cogview2.dataset.SvgPicture;
import org.cogview2.dataset.SvgRasteriser;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the emoji text-image set from local inputs into a folder:
 * <pre>
 *   images/160/&lt;style&gt;/&lt;hexcode&gt;.png   images/480/&lt;style&gt;/&lt;hexcode&gt;.png
 *   manifest.jsonl   dataset.json   NOTICE   READY
 * </pre>
 * One pair per (style, emoji) the style has a picture of; captions from emojibase; the split from {@link EmojiSplit}.
 *
 * <p>Resumable: a picture whose two PNGs already exist and decode at the right size is reused, not drawn again, and
 * PNGs are written under a temporary name and renamed, so a killed build is continued by running it again.
 * {@code READY} is removed when a build starts and written when it has finished, so its presence means the folder is
 * complete. A picture Batik cannot draw is reported in {@code dataset.json} and left out; it never stops the build.
 */
public final class EmojiDatasetBuilder {

    /** The two picture sizes, in pixels (square). */
    public static final int[] SIZES = {160, 480};
    /** Written last, when the folder is complete. */
    public static final String READY_FILE = "READY";
    public static final String SUMMARY_FILE = "dataset.json";
    public static final String NOTICE_FILE = "NOTICE";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final EmojiInputs inputs;
    private final Path outDir;
    private final int threads;
    private final BuildProgress progress;
    private final SvgRasteriser rasteriser = new SvgRasteriser(SIZES);

    public EmojiDatasetBuilder(EmojiInputs inputs, Path outDir, int threads, BuildProgress progress) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.inputs = inputs;
        this.outDir = outDir;
        this.threads = threads;
        this.progress = progress;
    }

    /** The path of a picture's PNG at a size, relative to the data-set folder. */
    public static String imagePath(int size, String style, EmojiCaption emoji) {
        return "images/" + size + "/" + style + "/" + emoji.key() + ".png";
    }

    /** Builds (or completes) the data set and returns what it made. */
    public BuildReport build() {
        long start = System.nanoTime();
        try {
            Files.createDirectories(outDir);
            Files.deleteIfExists(outDir.resolve(READY_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + outDir, e);
        }
        progress.message("reading captions from " + shortName(inputs.emojibaseEn()) + " and " + shortName(inputs.emojibaseZh()));
        EmojibaseCatalog catalog = EmojibaseCatalog.read(inputs.emojibaseEn(), inputs.emojibaseZh());
        progress.message(catalog.emoji().size() + " emoji with captions in both languages");

        List<Job> jobs = new ArrayList<>();
        Map<String, List<String>> noPicture = new LinkedHashMap<>();
        for (PictureSource source : inputs.pictures()) {
            List<String> missing = new ArrayList<>();
            int before = jobs.size();
            for (EmojiCaption emoji : catalog.emoji()) {
                source.find(emoji).ifPresentOrElse(p -> jobs.add(new Job(source.style(), emoji, p)),
                        () -> missing.add(emoji.hexcode()));
            }
            noPicture.put(source.style(), missing);
            progress.message(source.style() + ": " + (jobs.size() - before) + " pictures, none for " + missing.size() + " emoji");
        }

        List<Outcome> outcomes = draw(jobs);
        BuildReport report = report(catalog, jobs, outcomes, noPicture, Duration.ofNanos(System.nanoTime() - start));
        writeOutputs(jobs, outcomes, report);
        return report;
    }

    /** One picture to draw. */
    private record Job(String style, EmojiCaption emoji, SvgPicture picture) {
        String id() {
            return style + "/" + emoji.key();
        }
    }

    private enum Result { RENDERED, REUSED, FAILED }

    private record Outcome(Result result, String reason) {
    }

    private List<Outcome> draw(List<Job> jobs) {
        progress.message("drawing " + jobs.size() + " pictures at " + SIZES[0] + " and " + SIZES[1] + " pixels on " + threads + " threads");
        AtomicInteger done = new AtomicInteger();
        List<Outcome> outcomes = new ArrayList<>(jobs.size());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("emoji-raster-", 0).daemon(true).factory())) {
            List<Future<Outcome>> futures = new ArrayList<>(jobs.size());
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    Outcome o = drawOne(job);
                    progress.pictures(done.incrementAndGet(), jobs.size());
                    return o;
                }));
            }
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing pictures", e);
        } catch (ExecutionException e) {
            // Only I/O failures of the output folder get here: a bad picture is an outcome, not an exception.
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
        return outcomes;
    }

    private Outcome drawOne(Job job) {
        List<Path> files = new ArrayList<>();
        boolean allUsable = true;
        for (int size : SIZES) {
            Path file = outDir.resolve(imagePath(size, job.style(), job.emoji()));
            files.add(file);
            allUsable &= PngFiles.isUsable(file, size);
        }
        if (allUsable) {
            return new Outcome(Result.REUSED, null);
        }
        List<BufferedImage> images;
        try {
            images = rasteriser.render(job.id(), job.picture());
        } catch (DatasetFormatException e) {
            return new Outcome(Result.FAILED, e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        } catch (RuntimeException | StackOverflowError e) {
            // Batik has more failure modes than it documents; any of them costs one picture, not the build.
            return new Outcome(Result.FAILED, "Batik failed: " + e);
        }
        if (isBlank(images.getFirst())) {
            return new Outcome(Result.FAILED, "picture '" + job.id() + "' (" + job.picture().name() + ") draws as a blank white square");
        }
        for (int i = 0; i < SIZES.length; i++) {
            PngFiles.writeAtomically(images.get(i), files.get(i));
        }
        return new Outcome(Result.RENDERED, null);
    }

    /** {@code en/data.json}: enough of a path to tell the two emojibase files apart. */
    private static String shortName(Path file) {
        Path parent = file.getParent();
        return parent == null || parent.getFileName() == null ? file.getFileName().toString()
                : parent.getFileName() + "/" + file.getFileName();
    }

    private static boolean isBlank(BufferedImage image) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    return false;
                }
            }
        }
        return true;
    }

    private BuildReport report(EmojibaseCatalog catalog, List<Job> jobs, List<Outcome> outcomes,
                               Map<String, List<String>> noPicture, Duration wallTime) {
        List<BuildReport.StyleReport> styles = new ArrayList<>();
        int train = 0;
        int heldout = 0;
        Set<String> trainEmoji = new HashSet<>();
        Set<String> heldoutEmoji = new HashSet<>();
        for (PictureSource source : inputs.pictures()) {
            int pairs = 0;
            int rendered = 0;
            int reused = 0;
            List<BuildReport.Failure> failed = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                if (!job.style().equals(source.style())) {
                    continue;
                }
                Outcome o = outcomes.get(i);
                switch (o.result()) {
                    case FAILED -> failed.add(new BuildReport.Failure(job.id(), o.reason()));
                    case RENDERED -> rendered++;
                    case REUSED -> reused++;
                }
                if (o.result() != Result.FAILED) {
                    pairs++;
                    if (EmojiSplit.of(job.emoji().hexcode()).equals(ManifestEntry.HELDOUT)) {
                        heldout++;
                        heldoutEmoji.add(job.emoji().hexcode());
                    } else {
                        train++;
                        trainEmoji.add(job.emoji().hexcode());
                    }
                }
            }
            styles.add(new BuildReport.StyleReport(source.style(), pairs, rendered, reused, noPicture.get(source.style()), failed));
        }
        return new BuildReport(catalog.emoji().size(), catalog.skipped(), styles, train, heldout, trainEmoji.size(),
                heldoutEmoji.size(), wallTime, threads);
    }

    private void writeOutputs(List<Job> jobs, List<Outcome> outcomes, BuildReport report) {
        List<ManifestEntry> entries = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (outcomes.get(i).result() == Result.FAILED) {
                continue;
            }
            Job job = jobs.get(i);
            EmojiCaption e = job.emoji();
            entries.add(new ManifestEntry(job.id(), e.hexcode(), job.style(), e.labelEn(), e.labelZh(), e.tagsEn(), e.tagsZh(),
                    EmojiSplit.of(e.hexcode()), imagePath(SIZES[0], job.style(), e), imagePath(SIZES[1], job.style(), e)));
        }
        if (entries.isEmpty()) {
            throw new IllegalStateException("no picture could be drawn: nothing to write into " + outDir);
        }
        progress.message("writing " + Manifest.FILE_NAME + " (" + entries.size() + " pairs), " + SUMMARY_FILE + ", " + NOTICE_FILE);
        Manifest.write(outDir, entries);
        writeText(NOTICE_FILE, NoticeFile.text(inputs.credits(), SIZES));
        try {
            writeText(SUMMARY_FILE, JSON.writeValueAsString(report.toJson(JSON, inputs.credits(), SIZES)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + SUMMARY_FILE, e);
        }
        writeText(READY_FILE, entries.size() + " pairs\n");
    }

    private void writeText(String name, String text) {
        Path file = outDir.resolve(name);
        Path tmp = outDir.resolve(name + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
