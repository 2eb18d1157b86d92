package org.cogview2.training.sr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.Style;
import org.cogview2.api.SuperResolver;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.libtorch.LibtorchSuperResolution;
import org.cogview2.libtorch.StateDictParams;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.training.coglm.CaptionSampler;
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
 * Trains one of CogView2's super-resolution transformers on a data set's token grids, with CogLM's hyper-parameters
 * (the official code builds both from CogLM's arguments) and, like the official models, starting from a trained
 * CogLM's transformer:
 * <ul>
 *   <li><b>direct</b> ({@code cogview2-dsr}): the DSR sequence (spec 02 §6.1) of the 160 picture's 20x20 tokens; the
 *   loss is the cross-entropy of the 480 picture's 60x60 tokens at the 3600 grid rows, over the image vocabulary.
 *   The {@code attention_plus} projections of the grid start as copies of the layer's own attention (what SAT's
 *   attention mixin does when it is re-initialised from its model).</li>
 *   <li><b>iterative</b> ({@code cogview2-itersr}): a LoPAR pass (spec 02 §7.3) drawn uniformly from 1..6 over the
 *   480 picture's tokens corrupted as direct SR leaves them ({@link DsrLikeCorruption}); the cells the pass re-masks
 *   become {@code <start_of_image>} and the loss is their true tokens' cross-entropy.</li>
 * </ul>
 * The text is the style template of the caption without {@code <start_of_image>}, as the pipeline passes it.
 */
public final class SuperResolutionTask implements TrainingTask<SuperResolutionTask.Batch> {

    /** Which of the two models. */
    public enum Kind {
        DIRECT("cogview2-dsr", "DsrModel"),
        ITERATIVE("cogview2-itersr", "ItersrModel");

        private final String folder;
        private final String modelClass;

        Kind(String folder, String modelClass) {
            this.folder = folder;
            this.modelClass = modelClass;
        }

        public String folder() {
            return folder;
        }
    }

    /** One sample: its text ids, the input grid (20x20 for DSR, the corrupted and masked 60x60 for iterative SR),
     *  the 3600 targets and their weights (1 where the loss counts). */
    public record Sample(int[] text, int[] input, long[] targets, float[] weights) {
    }

    public record Batch(List<Sample> samples) {
    }

    private static final int CELLS = PictureTokens.HIGH_SIDE * PictureTokens.HIGH_SIDE;
    private static final int DSR_GRID_ROW = 496;
    private static final int ITERSR_GRID_ROW = 16;

    private final Kind kind;
    private final int batchSize;
    private final TransformerConfig transformer;
    private final TensorRequirements requirements;
    private final ParameterStore store;
    private final LibtorchSuperResolution graph;
    private final IceTextTokenizer text;
    private final PictureTokens low;
    private final PictureTokens high;
    private final List<ManifestEntry> train;
    private final List<ManifestEntry> heldout;
    private final UnusedImageIds unused;
    private final int startOfImage;
    private final DsrLikeCorruption corruption;

    /**
     * @param entries pairs with tokens in both {@code low} and {@code high}
     * @param coglm   a trained CogLM SAT folder of the same size to start from (its {@code transformer.*}), or null
     * @param init    an SR folder of this kind to start from instead (fine-tuning), or null
     */
    public SuperResolutionTask(NDManager manager, Kind kind, TransformerConfig transformer, int batchSize,
                               IceTextTokenizer text, PictureTokens low, PictureTokens high, List<ManifestEntry> entries,
                               int codes, Path coglm, Path init, long seed) {
        this.kind = kind;
        this.batchSize = batchSize;
        this.transformer = transformer;
        this.text = text;
        this.low = low;
        this.high = high;
        this.train = entries.stream().filter(ManifestEntry::isTrain).toList();
        this.heldout = entries.stream().filter(e -> !e.isTrain()).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the data set has no training pairs");
        }
        this.unused = UnusedImageIds.afterCodebook(codes);
        this.startOfImage = text.specialTokenId(SpecialToken.START_OF_IMAGE);
        this.corruption = new DsrLikeCorruption(PictureTokens.HIGH_SIDE);
        this.requirements = kind == Kind.DIRECT
                ? TensorRequirements.cogview2Dsr(transformer, SatCheckpoints.NEW_SEQUENCE_LENGTH)
                : TensorRequirements.cogview2IterSr(transformer, SatCheckpoints.NEW_SEQUENCE_LENGTH);
        this.store = new ParameterStore(manager);
        SatParameters.initialise(store, requirements, transformer, unused, new SplittableRandom(seed));
        if (init != null) {
            SatParameters.load(store, init, requirements);
        } else if (coglm != null) {
            startFromCogLm(coglm);
        }
        this.graph = LibtorchSuperResolution.over(manager, transformer, StateDictParams.of(store.all()), startOfImage);
    }

    /** CogLM's {@code transformer.*} tensors; DSR's grid attention starts as a copy of each layer's attention. */
    private void startFromCogLm(Path coglm) {
        SatModelFolder folder = SatModelFolder.open(coglm);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(folder.checkpointFile())) {
            TensorRequirements.satTransformer(transformer).check(checkpoint);
            Map<String, StoredTensor> sd = checkpoint.stateDict();
            for (String key : store.all().keySet()) {
                String source = key;
                if (key.startsWith("mixins.attention_plus.")) {
                    // mixins.attention_plus.query_key_value.<l>.weight -> transformer.layers.<l>.attention.query_key_value.weight
                    String[] parts = key.split("\\.");
                    source = "transformer.layers." + parts[3] + ".attention." + parts[2] + "." + parts[4];
                }
                StoredTensor t = sd.get(source);
                if (t != null) {
                    store.set(key, t.toFloats());
                }
            }
        }
    }

    public TransformerConfig transformer() {
        return transformer;
    }

    @Override
    public String name() {
        return kind == Kind.DIRECT ? "dsr" : "itersr";
    }

    @Override
    public ParameterStore parameters() {
        return store;
    }

    @Override
    public long samplesIn(Batch batch) {
        return batch.samples().size();
    }

    @Override
    public Batch batch(long seed, long index) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            ManifestEntry e = train.get(random.nextInt(train.size()));
            Style style = random.nextDouble() < 0.2 ? Style.NONE : Style.MAINBODY;
            samples.add(sample(e, CaptionSampler.caption(e, random), style, 1 + random.nextInt(LoparSchedule.PASSES), random));
        }
        return new Batch(samples);
    }

    /** The sample of one pair; {@code pass} (1..6) and {@code random} are used by iterative SR only. */
    Sample sample(ManifestEntry e, String caption, Style style, int pass, SplittableRandom random) {
        int[] ids = text.encode(style.apply(caption));
        int[] t = Arrays.copyOf(ids, Math.min(ids.length - 1, SuperResolver.MAX_TEXT_IDS));
        int[] truth = high.grid(e.id());
        long[] targets = new long[CELLS];
        float[] weights = new float[CELLS];
        for (int k = 0; k < CELLS; k++) {
            if (truth[k] >= unused.from()) {
                throw new IllegalArgumentException("60x60 tokens of '" + e.id() + "' contain id " + truth[k]
                        + ", outside the image tokenizer's " + unused.from() + " codes");
            }
            targets[k] = truth[k];
        }
        if (kind == Kind.DIRECT) {
            Arrays.fill(weights, 1f);
            return new Sample(t, low.grid(e.id()), targets, weights);
        }
        int[] input = corruption.corrupt(truth, pass, random);
        for (int k = 0; k < CELLS; k++) {
            if (LoparSchedule.remasked(pass, k, PictureTokens.HIGH_SIDE)) {
                input[k] = startOfImage;
                weights[k] = 1f;
            }
        }
        return new Sample(t, input, targets, weights);
    }

    @Override
    public StepOutput forward(NDManager step, Batch batch, long stepIndex) {
        NDArray total = null;
        NDArray accuracy = null;
        for (Sample s : batch.samples()) {
            NDArray[] out = sampleLoss(step, s);
            total = total == null ? out[0] : total.add(out[0]);
            accuracy = accuracy == null ? out[1] : accuracy.add(out[1]);
        }
        int n = batch.samples().size();
        NDArray loss = total.div(n);
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        metrics.put("token_accuracy", accuracy.div(n));
        return new StepOutput(loss, metrics);
    }

    /** {@code [loss, accuracy]} of one sample: mean cross-entropy and argmax accuracy over the weighted cells. */
    NDArray[] sampleLoss(NDManager step, Sample s) {
        NDArray hidden = kind == Kind.DIRECT ? graph.dsrHiddenStates(step, s.text(), s.input())
                : graph.iterSrHiddenStates(step, s.text(), s.input());
        int first = kind == Kind.DIRECT ? DSR_GRID_ROW : ITERSR_GRID_ROW;
        NDArray rows = hidden.get(":, " + first + ":" + (first + CELLS) + ", :").squeeze(0);
        NDArray logits = graph.imageLogits(rows, unused.from());
        NDArray full = unused.count() > 0 ? logits.concat(step.full(new Shape(CELLS, 1), unused.logCount()), -1) : logits;
        NDArray targets = step.create(s.targets(), new Shape(CELLS, 1));
        NDArray w = step.create(s.weights(), new Shape(CELLS));
        NDArray lp = full.logSoftmax(-1).gather(targets, -1).squeeze(-1);
        NDArray weightSum = w.sum();
        NDArray loss = lp.mul(w).sum().div(weightSum).neg();
        NDArray hits;
        try (NDArray stopped = logits.stopGradient(); NDArray best = stopped.argMax(-1)) {
            hits = best.eq(targets.squeeze(-1)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(w).sum().div(weightSum);
        }
        return new NDArray[]{loss, hits};
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        if (heldout.isEmpty()) {
            return Map.of();
        }
        // Four fixed held-out pictures, English labels, mainbody, LoPAR pass 1 (every masked cell) for iterative SR.
        double loss = 0;
        double accuracy = 0;
        List<ManifestEntry> sample = heldout.subList(0, Math.min(4, heldout.size()));
        for (int i = 0; i < sample.size(); i++) {
            ManifestEntry e = sample.get(i);
            try (NDManager m = manager.newSubManager()) {
                NDArray[] out = sampleLoss(m, sample(e, e.captionEn(), Style.MAINBODY, 1, new SplittableRandom(i)));
                loss += out[0].getFloat();
                accuracy += out[1].getFloat();
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("heldout_loss", loss / sample.size());
        out.put("heldout_token_accuracy", accuracy / sample.size());
        return out;
    }

    @Override
    public void export(Path outDir, long step) {
        SatParameters.export(store, requirements, outDir.resolve(kind.folder()), kind.modelClass, transformer, step);
    }

    @Override
    public void close() {
        graph.close();
    }
}
