package org.cogview2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.InvalidInputException;
import org.cogview2.cli.evaluation.ModelSetEvaluation;
import org.cogview2.cli.evaluation.ModelSetEvaluation.PromptCase;
import org.cogview2.cli.evaluation.ModelSetEvaluation.PromptResult;
import org.cogview2.cli.evaluation.RetrievalIndex;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code cogview2 evaluate model-set}: how well a model set draws what it is asked, measured on a data set (see
 * {@link ModelSetEvaluation}): prompt following at stage 1 and through every stage, super-resolution against bicubic,
 * post-selection accuracy. Prints a table (or JSON) and can write a contact sheet of every generated picture beside
 * its nearest data-set picture.
 */
@Command(name = "model-set", mixinStandardHelpOptions = true,
        description = "Prompt following (top-1/top-5 by nearest data-set pictures), SR vs bicubic PSNR and post-selection accuracy of a model set.")
final class EvaluateModelSetCommand implements Runnable {

    private static final int CELL = 96;

    @Mixin
    ModelOptions models;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data-set folder (manifest.jsonl), e.g. from 'cogview2 dataset emoji'.")
    Path data;

    @Option(names = "--emoji", defaultValue = "100", paramLabel = "N", description = "Emoji to prompt, each in English and in Chinese (default: ${DEFAULT-VALUE}).")
    int emoji;

    @Option(names = "--full-emoji", paramLabel = "N",
            description = "Of those emoji, how many also go through super-resolution for the full-pipeline figures (default: all).")
    Integer fullEmoji;

    @Option(names = "--sr-pictures", defaultValue = "20", paramLabel = "N", description = "Held-out pictures for the super-resolution measurement (default: ${DEFAULT-VALUE}).")
    int srPictures;

    @Option(names = "--pairs", defaultValue = "100", paramLabel = "N", description = "Held-out pairs for the post-selection measurement (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--seed", defaultValue = "1234", paramLabel = "N", description = "Seed of every picture (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sheet", paramLabel = "FILE", description = "Write a PNG contact sheet: each generated picture beside its nearest data-set picture.")
    Path sheet;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON object (with every prompt's result) to FILE.")
    Path report;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ManifestEntry> entries = Manifest.read(data);
        List<ManifestEntry> heldout = entries.stream().filter(e -> !e.isTrain()).toList();
        if (heldout.isEmpty()) {
            throw new InvalidInputException(data.resolve(Manifest.FILE_NAME) + " has no held-out pictures");
        }
        long start = System.nanoTime();
        RetrievalIndex index = RetrievalIndex.of(data, entries, PictureReader::read);
        List<PromptCase> prompts = ModelSetEvaluation.prompts(entries, emoji);
        List<PromptResult> results = new ArrayList<>();
        ModelSetEvaluation.SuperResolutionResult sr;
        ModelSetEvaluation.PostSelectionResult post;
        String backend;
        String modelsUsed;
        try (CogView2Pipeline pipeline = models.open(err)) {
            backend = pipeline.info().backend();
            modelsUsed = pipeline.info().models();
            ModelSetEvaluation evaluation = new ModelSetEvaluation(pipeline, data, index, PictureReader::read, seed);
            int half = prompts.size() / 2;
            int full = fullEmoji == null ? half : Math.min(half, fullEmoji);
            for (int i = 0; i < prompts.size(); i++) {
                results.add(evaluation.follow(prompts.get(i), i % half < full));
                if (!json) {
                    err.printf("\rprompt %d of %d", i + 1, prompts.size());
                    err.flush();
                }
            }
            if (!json) {
                err.println();
            }
            sr = evaluation.superResolution(heldout.subList(0, Math.min(srPictures, heldout.size())));
            post = evaluation.postSelection(heldout, pairs);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double chance = Math.min(1, 5.0 / entries.stream().map(ManifestEntry::emoji).distinct().count());
        ObjectNode o = toJson(modelsUsed, backend, index.size(), prompts.size(), results, chance, sr, post, seconds);
        if (report != null) {
            try {
                java.nio.file.Files.writeString(report, o.toPrettyString() + "\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + report, e);
            }
        }
        if (json) {
            out.println(o);
        } else {
            out.printf("models: %s (backend %s); %d data-set pictures; %.0f s%n", modelsUsed, backend, index.size(), seconds);
            out.printf("prompt following, %d emoji (a hit: the prompted emoji among the k nearest data-set pictures; chance at k=5 about %.1f%%)%n",
                    prompts.size() / 2, 100 * chance);
            out.printf("%d prompts at stage 1, %d of them through every stage%n", prompts.size(),
                    results.stream().filter(r -> r.fullRank() != ModelSetEvaluation.NOT_RUN).count());
            out.println("                 stage 1 top-1  stage 1 top-5  full top-1  full top-5");
            for (String lang : List.of("en", "zh")) {
                out.printf("  %-14s %12.1f%% %13.1f%% %10.1f%% %10.1f%%%n", lang.equals("en") ? "English" : "Chinese",
                        100 * rate(results, lang, true, 1), 100 * rate(results, lang, true, 5),
                        100 * rate(results, lang, false, 1), 100 * rate(results, lang, false, 5));
            }
            out.printf("super-resolution, %d held-out pictures from their true 20x20 tokens: %.2f dB (bicubic x3 of the 160 decode: %.2f dB)%n",
                    sr.pictures(), sr.psnrSuperResolution(), sr.psnrBicubic());
            out.printf("post-selection, %d held-out pairs: own picture scored above another emoji's in %.1f%%%n",
                    post.pairs(), 100 * post.accuracy());
        }
        if (sheet != null) {
            PngWriter.write(contactSheet(results), sheet, Map.of("Software", "cogview2-java",
                    "Description", "pairs: generated picture (all stages), nearest data-set picture; green frame: prompted emoji among the 5 nearest"));
            if (!json) {
                out.println("wrote " + sheet);
            }
        }
    }

    private static ObjectNode toJson(String modelsUsed, String backend, int pictures, int promptCount,
                                     List<PromptResult> results, double chance,
                                     ModelSetEvaluation.SuperResolutionResult sr,
                                     ModelSetEvaluation.PostSelectionResult post, double seconds) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("models", modelsUsed);
        o.put("backend", backend);
        o.put("data_set_pictures", pictures);
        o.put("prompts", promptCount);
        o.put("full_pipeline_prompts", results.stream().filter(r -> r.fullRank() != ModelSetEvaluation.NOT_RUN).count());
        for (String lang : List.of("en", "zh")) {
            ObjectNode l = o.putObject("prompt_following_" + lang);
            l.put("stage1_top1", rate(results, lang, true, 1));
            l.put("stage1_top5", rate(results, lang, true, 5));
            l.put("full_top1", rate(results, lang, false, 1));
            l.put("full_top5", rate(results, lang, false, 5));
        }
        o.put("top5_chance", chance);
        o.put("sr_pictures", sr.pictures());
        o.put("sr_psnr", sr.psnrSuperResolution());
        o.put("bicubic_psnr", sr.psnrBicubic());
        o.put("post_selection_pairs", post.pairs());
        o.put("post_selection_accuracy", post.accuracy());
        o.put("seconds", seconds);
        ArrayNode list = o.putArray("results");
        for (PromptResult r : results) {
            ObjectNode n = list.addObject();
            n.put("emoji", r.prompt().emoji());
            n.put("language", r.prompt().language());
            n.put("prompt", r.prompt().prompt());
            n.put("stage1_rank", r.stage1Rank());
            n.put("full_rank", r.fullRank());
            n.put("nearest", r.nearest().id());
        }
        return o;
    }

    /** Share of prompts in {@code lang} whose emoji ranks below {@code k} (stage 1 or the full pipeline). */
    static double rate(List<PromptResult> results, String lang, boolean stage1, int k) {
        List<PromptResult> measured = results.stream().filter(r -> r.prompt().language().equals(lang))
                .filter(r -> stage1 || r.fullRank() != ModelSetEvaluation.NOT_RUN).toList();
        long n = measured.size();
        long hits = measured.stream()
                .filter(r -> {
                    int rank = stage1 ? r.stage1Rank() : r.fullRank();
                    return rank >= 0 && rank < k;
                }).count();
        return n == 0 ? Double.NaN : (double) hits / n;
    }

    private BufferedImage contactSheet(List<PromptResult> results) {
        int pairsPerRow = 10;
        int gap = 6;
        int pairWidth = 2 * CELL + gap;
        int rows = (results.size() + pairsPerRow - 1) / pairsPerRow;
        int w = pairsPerRow * (pairWidth + gap) + gap;
        int h = rows * (CELL + gap) + gap;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(0x30, 0x30, 0x30));
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            for (int i = 0; i < results.size(); i++) {
                PromptResult r = results.get(i);
                int x = gap + (i % pairsPerRow) * (pairWidth + gap);
                int y = gap + (i / pairsPerRow) * (CELL + gap);
                boolean hit = (r.fullRank() == ModelSetEvaluation.NOT_RUN ? r.stage1Rank() : r.fullRank()) >= 0;
                g.setColor(hit ? new Color(0x2e, 0xa0, 0x43) : new Color(0x90, 0x30, 0x30));
                g.fillRect(x - 3, y - 3, pairWidth + 6, CELL + 6);
                g.drawImage(r.picture().toBufferedImage(), x, y, CELL, CELL, null);
                g.drawImage(PictureReader.read(data.resolve(r.nearest().image160())).toBufferedImage(), x + CELL + gap, y, CELL, CELL, null);
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
