package org.cogview2.training.coglm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.Style;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.libtorch.LibtorchSatGraph;
import org.cogview2.libtorch.StateDictParams;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.postselect.InversePromptLayout;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.training.core.ParameterStore;
import org.cogview2.training.core.StepOutput;
import org.cogview2.training.core.TrainingTask;
import org.cogview2.training.sat.SatParameters;
import org.cogview2.training.sat.UnusedImageIds;
import org.cogview2.training.tokens.PictureTokens;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains CogLM, stage 1 of CogView2, on a data set's captioned pictures, in both directions the pipeline uses:
 * <ul>
 *   <li><b>caption to picture</b> (generation): the official stage-1 sequence (spec 02 §2.2–§2.5), the style template
 *   around the caption, {@code <start_of_image>}, the 400 tokens of the 160 picture; text keys get the recipe's
 *   {@code attn_plus} bias as at inference; the loss is the cross-entropy of each image token given the ones
 *   before, over the image vocabulary (the softmax the cluster strategy samples from);</li>
 *   <li><b>picture to caption</b> (post-selection, every {@link CogLmConfig#inverseEvery()}-th step): the inverse
 *   prompt sequence ({@link InversePromptLayout}), the loss is the caption's cross-entropy over the full
 *   vocabulary, as {@code InversePromptSelector} scores it.</li>
 * </ul>
 * Rows of a batch have captions of different lengths: stage-1 texts are padded on the left (pad keys masked for
 * every query, so each row computes what it would alone, with the image always at the same indices), captions of the
 * inverse direction on the right (beyond every real query, so causally invisible) with no loss on the pads.
 */
public final class CogLmTask implements TrainingTask<CogLmTask.Batch> {

    /** SAT's model class of CogLM. */
    public static final String MODEL_CLASS = "CachedAutoregressiveModel";

    /**
     * One step's sequences, row-major over {@code rows}: ids and positions {@code [rows, length]}, mask
     * {@code [rows, length, length]}, key bias {@code [rows, length]} (null for the inverse direction), targets and
     * their weights {@code [rows, lossCount]} for the hidden rows {@code [lossFrom, lossFrom + lossCount)}. Targets
     * are column indices of the logits the loss computes (image ids as they are; text ids after the used codes).
     */
    public record Batch(boolean inverse, int rows, int length, long[] ids, long[] positions, float[] mask,
                        float[] keyBias, int lossFrom, int lossCount, long[] targets, float[] weights) {
    }

    private final CogLmConfig config;
    private final TransformerConfig transformer;
    private final TensorRequirements requirements;
    private final ParameterStore store;
    private final LibtorchSatGraph graph;
    private final IceTextTokenizer text;
    private final PictureTokens tokens;
    private final List<ManifestEntry> train;
    private final List<ManifestEntry> heldout;
    private final UnusedImageIds unused;
    private final int startOfImage;
    private final int startOfChinese;

    /**
     * @param codes the image tokenizer's codebook size: ids {@code [codes, 20000)} are never targets
     * @param init  a CogLM SAT folder of the same size to start from, or null
     */
    public CogLmTask(NDManager manager, CogLmConfig config, IceTextTokenizer text, PictureTokens tokens,
                     List<ManifestEntry> entries, int codes, Path init, long seed) {
        if (tokens.side() != PictureTokens.LOW_SIDE) {
            throw new IllegalArgumentException("CogLM trains on 20x20 grids, got " + tokens.side() + "x" + tokens.side());
        }
        this.config = config;
        this.text = text;
        this.tokens = tokens;
        this.train = entries.stream().filter(ManifestEntry::isTrain).toList();
        this.heldout = entries.stream().filter(e -> !e.isTrain()).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the data set has no training pairs");
        }
        this.unused = UnusedImageIds.afterCodebook(codes);
        this.startOfImage = text.specialTokenId(SpecialToken.START_OF_IMAGE);
        this.startOfChinese = text.specialTokenId(SpecialToken.START_OF_CHINESE);
        this.transformer = config.transformer(text.vocabularySize());
        this.requirements = TensorRequirements.satTransformer(transformer);
        this.store = new ParameterStore(manager);
        SatParameters.initialise(store, requirements, transformer, unused, new SplittableRandom(seed));
        if (init != null) {
            SatParameters.load(store, init, requirements);
        }
        this.graph = new LibtorchSatGraph(transformer, StateDictParams.of(store.all()));
    }

    public TransformerConfig transformer() {
        return transformer;
    }

    @Override
    public String name() {
        return "coglm";
    }

    @Override
    public ParameterStore parameters() {
        return store;
    }

    @Override
    public long samplesIn(Batch batch) {
        return batch.rows();
    }

    @Override
    public Batch batch(long seed, long index) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        List<ManifestEntry> picked = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < config.batch(); i++) {
            ManifestEntry e = train.get(random.nextInt(train.size()));
            picked.add(e);
            captions.add(CaptionSampler.caption(e, random));
        }
        boolean inverse = config.inverseEvery() > 0 && index % config.inverseEvery() == config.inverseEvery() - 1;
        if (inverse) {
            return inverseBatch(picked, captions);
        }
        List<Style> styles = new ArrayList<>();
        for (int i = 0; i < picked.size(); i++) {
            styles.add(random.nextDouble() < config.noStyleShare() ? Style.NONE : Style.MAINBODY);
        }
        return stage1Batch(picked, captions, styles);
    }

    /** Stage-1 sequences: {@code [pads | template(caption) | <start_of_image> | 400 image tokens]}. */
    Batch stage1Batch(List<ManifestEntry> picked, List<String> captions, List<Style> styles) {
        int rows = picked.size();
        List<int[]> texts = new ArrayList<>();
        int slots = 0;
        for (int i = 0; i < rows; i++) {
            int[] ids = text.encode(styles.get(i).apply(captions.get(i)));
            Stage1Layout.of(ids, startOfImage, config.textBias()); // checks the template's ending and the length
            int[] t = Arrays.copyOf(ids, ids.length - 1);
            texts.add(t);
            slots = Math.max(slots, t.length);
        }
        int image = Stage1Layout.IMAGE_TOKENS;
        int length = slots + 1 + image;
        long[] ids = new long[rows * length];
        long[] positions = new long[rows * length];
        float[] mask = new float[rows * length * length];
        float[] keyBias = new float[rows * length];
        long[] targets = new long[rows * image];
        float[] weights = new float[rows * image];
        Arrays.fill(weights, 1f);
        for (int b = 0; b < rows; b++) {
            int[] t = texts.get(b);
            int pads = slots - t.length;
            int[] grid = tokens.grid(picked.get(b).id());
            Stage1Layout layout = new Stage1Layout(t.length, config.textBias());
            int base = b * length;
            for (int i = 0; i < t.length; i++) {
                ids[base + pads + i] = t[i];
            }
            ids[base + slots] = startOfImage;
            for (int k = 0; k < image; k++) {
                ids[base + slots + 1 + k] = grid[k];
                targets[b * image + k] = checkedImageId(grid[k], picked.get(b));
            }
            // Row index i of the padded sequence is index i - pads of the unpadded layout.
            for (int i = pads; i < length; i++) {
                positions[base + i] = layout.position(i - pads);
                keyBias[base + i] = layout.bias(0, i - pads);
            }
            for (int q = pads; q < length; q++) {
                int row = (base + q) * length;
                for (int k = pads; k < length; k++) {
                    mask[row + k] = layout.visible(q - pads, k - pads) ? 1f : 0f;
                }
            }
        }
        // Hidden row slots (<start_of_image>) .. slots + 399 predicts the image tokens at slots + 1 ..
        return new Batch(false, rows, length, ids, positions, mask, keyBias, slots, image, targets, weights);
    }

    /** Inverse-prompt sequences: {@code [400 image tokens | <start_of_chinese> | caption | pads]}. */
    Batch inverseBatch(List<ManifestEntry> picked, List<String> captions) {
        int rows = picked.size();
        List<int[]> texts = new ArrayList<>();
        int longest = 1;
        for (String c : captions) {
            int[] t = text.encode(c);
            if (t.length == 0) {
                t = text.encode("?");
            }
            texts.add(t);
            longest = Math.max(longest, t.length);
        }
        InversePromptLayout layout = new InversePromptLayout(longest);
        int length = layout.length();
        int image = InversePromptLayout.IMAGE_TOKENS;
        long[] ids = new long[rows * length];
        long[] positions = new long[rows * length];
        float[] mask = new float[rows * length * length];
        long[] targets = new long[rows * longest];
        float[] weights = new float[rows * longest];
        float[] m = layout.mask();
        int[] p = layout.positions();
        for (int b = 0; b < rows; b++) {
            int[] t = texts.get(b);
            int[] grid = tokens.grid(picked.get(b).id());
            int[] seq = new InversePromptLayout(t.length).sequence(grid, startOfChinese, t);
            int base = b * length;
            for (int i = 0; i < seq.length; i++) {
                ids[base + i] = seq[i];
            }
            for (int i = 0; i < length; i++) {
                positions[base + i] = p[i];
            }
            System.arraycopy(m, 0, mask, b * length * length, length * length);
            for (int i = 0; i < t.length; i++) {
                targets[b * longest + i] = textColumn(t[i]);
                weights[b * longest + i] = 1f;
            }
            for (int k = 0; k < grid.length; k++) {
                checkedImageId(grid[k], picked.get(b));
            }
        }
        // Hidden rows 400 (<start_of_chinese>) .. 400 + longest - 1 predict the caption ids.
        return new Batch(true, rows, length, ids, positions, mask, null, image, longest, targets, weights);
    }

    private long checkedImageId(int id, ManifestEntry e) {
        if (id >= unused.from()) {
            throw new IllegalArgumentException("picture tokens of '" + e.id() + "' contain id " + id
                    + ", outside the image tokenizer's " + unused.from() + " codes");
        }
        return id;
    }

    /** Text id to its column in the full-vocabulary logits (image codes first, then the text ids). */
    private long textColumn(int id) {
        return unused.from() + (id - org.cogview2.api.Tokenizer.IMAGE_TOKENS);
    }

    @Override
    public StepOutput forward(NDManager step, Batch b, long stepIndex) {
        NDArray lp = logProbabilities(step, b);
        NDArray w = step.create(b.weights(), new Shape(b.rows(), b.lossCount()));
        NDArray loss = lp.mul(w).sum().div(w.sum()).neg();
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        metrics.put(b.inverse() ? "caption_loss" : "image_loss", loss.stopGradient());
        return new StepOutput(loss, metrics);
    }

    /** The log-probability of every target: {@code [rows, lossCount]}. */
    NDArray logProbabilities(NDManager step, Batch b) {
        int l = b.length();
        NDArray ids = step.create(b.ids(), new Shape(b.rows(), l));
        NDArray positions = step.create(b.positions(), new Shape(b.rows(), l));
        NDArray mask = step.create(b.mask(), new Shape(b.rows(), 1, l, l));
        NDArray bias = b.keyBias() == null ? null : step.create(b.keyBias(), new Shape(b.rows(), 1, 1, l));
        NDArray hidden = graph.hidden(ids, positions, mask, bias);
        NDArray rows = hidden.get(":, " + b.lossFrom() + ":" + (b.lossFrom() + b.lossCount()) + ", :");
        NDArray logits = graph.logitsOver(rows, 0, unused.from());
        if (b.inverse()) {
            logits = logits.concat(graph.logitsOver(rows, org.cogview2.api.Tokenizer.IMAGE_TOKENS, transformer.vocabSize()), -1);
        }
        if (unused.count() > 0) {
            logits = logits.concat(step.full(new Shape(b.rows(), b.lossCount(), 1), unused.logCount()), -1);
        }
        NDArray targets = step.create(b.targets(), new Shape(b.rows(), b.lossCount(), 1)).toType(DataType.INT64, false);
        return logits.logSoftmax(-1).gather(targets, -1).squeeze(-1);
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        if (heldout.isEmpty()) {
            return Map.of();
        }
        // The same sixteen held-out pictures every time: their English labels, mainbody, both directions.
        List<ManifestEntry> sample = heldout.subList(0, Math.min(16, heldout.size()));
        double image = 0;
        double caption = 0;
        int batches = 0;
        for (int from = 0; from < sample.size(); from += config.batch()) {
            List<ManifestEntry> part = sample.subList(from, Math.min(sample.size(), from + config.batch()));
            List<String> captions = part.stream().map(ManifestEntry::captionEn).toList();
            List<Style> styles = part.stream().map(e -> Style.MAINBODY).toList();
            try (NDManager m = manager.newSubManager()) {
                image += meanLoss(m, stage1Batch(part, captions, styles));
                caption += meanLoss(m, inverseBatch(part, captions));
            }
            batches++;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("heldout_image_loss", image / batches);
        out.put("heldout_caption_loss", caption / batches);
        return out;
    }

    private double meanLoss(NDManager m, Batch b) {
        NDArray lp = logProbabilities(m, b);
        NDArray w = m.create(b.weights(), new Shape(b.rows(), b.lossCount()));
        return -lp.mul(w).sum().div(w.sum()).getFloat();
    }

    @Override
    public void export(Path outDir, long step) {
        SatParameters.export(store, requirements, outDir.resolve("coglm"), MODEL_CLASS, transformer, step);
    }
}
