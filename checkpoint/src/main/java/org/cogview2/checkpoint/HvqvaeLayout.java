package org.cogview2.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The widths of icetk's hierarchical VQ-VAE ({@code HVQVAE}), which fix every tensor shape of
 * {@code ice_image.pt}. The released file uses {@link #released()} (icetk's hard-coded
 * {@code load_default_HVQVAE}); smaller test models keep the structure with other widths, which
 * {@link #inferFrom} reads off the state-dict shapes.
 *
 * @param inChannels           image channels into the encoder (3)
 * @param outChannels          image channels out of each decoder (3)
 * @param channels             base width {@code ch} of encoder and decoders (128 released)
 * @param zChannels            encoder output, down-sampler and quantizer-projection input width (256)
 * @param embeddingDim         code width: projection output, codebook rows, decoder input (256)
 * @param codebookSize         number of codes (20000)
 * @param encoderChannelsMult  encoder {@code channels_mult} ([1, 2, 4])
 * @param encoderResBlocks     ResnetBlocks per encoder level (2)
 * @param decoderChannelsMult  {@code channels_mult} of each decoder ([1,1,1,2,4], [1,1,2,4], [1,2,4])
 * @param decoderResBlocks     decoder {@code num_res_blocks} (0: one ResnetBlock per level)
 * @param downSamplers         number of {@code ResidualDownSample}s (2)
 * @param resolution           the constructors' {@code resolution}, which places attention (256)
 * @param attnResolutions      resolutions with attention blocks ([16])
 */
public record HvqvaeLayout(int inChannels, int outChannels, int channels, int zChannels, int embeddingDim,
                           int codebookSize, List<Integer> encoderChannelsMult, int encoderResBlocks,
                           List<List<Integer>> decoderChannelsMult, int decoderResBlocks, int downSamplers,
                           int resolution, List<Integer> attnResolutions) {

    /** Validates and keeps unmodifiable copies. */
    public HvqvaeLayout {
        encoderChannelsMult = List.copyOf(encoderChannelsMult);
        decoderChannelsMult = decoderChannelsMult.stream().map(List::copyOf).toList();
        attnResolutions = List.copyOf(attnResolutions);
        if (inChannels < 1 || outChannels < 1 || channels < 1 || zChannels < 1 || embeddingDim < 1
                || codebookSize < 1 || encoderResBlocks < 0 || decoderResBlocks < 0 || downSamplers < 0
                || resolution < 1 || encoderChannelsMult.isEmpty()
                || decoderChannelsMult.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("invalid HVQVAE layout " + encoderChannelsMult + " "
                    + decoderChannelsMult);
        }
        for (int m : encoderChannelsMult) {
            if (m < 1) {
                throw new IllegalArgumentException("encoder channel multiplier " + m);
            }
        }
        for (List<Integer> d : decoderChannelsMult) {
            for (int m : d) {
                if (m < 1) {
                    throw new IllegalArgumentException("decoder channel multiplier " + m);
                }
            }
        }
    }

    /** icetk's {@code load_default_HVQVAE}: the layout of the released {@code ice_image.pt}. */
    public static HvqvaeLayout released() {
        return new HvqvaeLayout(3, 3, 128, 256, 256, 20000, List.of(1, 2, 4), 2,
                List.of(List.of(1, 1, 1, 2, 4), List.of(1, 1, 2, 4), List.of(1, 2, 4)), 0, 2, 256, List.of(16));
    }

    /** Infers the layout of an opened {@code ice_image.pt} from its state-dict shapes. */
    public static HvqvaeLayout inferFrom(TorchCheckpoint checkpoint) {
        return inferFrom(checkpoint.file(), checkpoint.stateDict());
    }

    /**
     * Infers the layout from state-dict shapes: base width from {@code enc.conv_in}, code width and count from
     * {@code quantize.embed.weight}, multipliers from each level's first ResnetBlock. Resolution 256 and
     * attention at 16 are icetk's constants. The result is only a hypothesis: check the state dict against
     * {@link TensorRequirements#hvqvae} to validate every shape.
     *
     * @throws StateDictMismatchException if the tensors the inference needs are missing or malformed
     */
    public static HvqvaeLayout inferFrom(Path file, Map<String, StoredTensor> sd) {
        List<String> problems = new ArrayList<>();
        int[] convIn = shape(sd, "enc.conv_in.weight", 4, problems);
        int[] convOut = shape(sd, "enc.conv_out.weight", 4, problems);
        int[] embed = shape(sd, "quantize.embed.weight", 2, problems);
        int[] decOut = shape(sd, "decs.0.conv_out.weight", 4, problems);
        if (!problems.isEmpty()) {
            throw new StateDictMismatchException(file, "an icetk HVQVAE (inferring its widths)", problems);
        }
        int ch = convIn[0];
        List<Integer> encMult = new ArrayList<>();
        for (int i = 0; sd.containsKey("enc.down." + i + ".block.0.conv1.weight") && i < 64; i++) {
            encMult.add(multiplier(sd, "enc.down." + i + ".block.0.conv1.weight", ch, problems));
        }
        int encBlocks = 0;
        while (encBlocks < 64 && sd.containsKey("enc.down.0.block." + encBlocks + ".conv1.weight")) {
            encBlocks++;
        }
        List<List<Integer>> decMults = new ArrayList<>();
        for (int k = 0; sd.containsKey("decs." + k + ".conv_in.weight") && k < 64; k++) {
            List<Integer> m = new ArrayList<>();
            for (int i = 0; sd.containsKey("decs." + k + ".up." + i + ".block.0.conv1.weight") && i < 64; i++) {
                m.add(multiplier(sd, "decs." + k + ".up." + i + ".block.0.conv1.weight", ch, problems));
            }
            if (m.isEmpty()) {
                problems.add("decoder " + k + " has no up-sampling levels (no decs." + k + ".up.0.block.0.conv1.weight)");
            }
            decMults.add(m);
        }
        int decBlocks = 0;
        while (decBlocks < 64 && sd.containsKey("decs.0.up.0.block." + decBlocks + ".conv1.weight")) {
            decBlocks++;
        }
        int down = 0;
        while (down < 64 && sd.containsKey("down_samplers." + down + ".conv_down_sampler.conv.weight")) {
            down++;
        }
        if (encMult.isEmpty()) {
            problems.add("no encoder levels (no enc.down.0.block.0.conv1.weight)");
        }
        if (decMults.isEmpty()) {
            problems.add("no decoders (no decs.0.conv_in.weight)");
        }
        if (decBlocks == 0 && !decMults.isEmpty()) {
            problems.add("no decoder blocks (no decs.0.up.0.block.0.conv1.weight)");
        }
        if (!problems.isEmpty()) {
            throw new StateDictMismatchException(file, "an icetk HVQVAE (inferring its widths)", problems);
        }
        return new HvqvaeLayout(convIn[1], decOut[0], ch, convOut[0], embed[1], embed[0], encMult, encBlocks,
                decMults, decBlocks - 1, down, 256, List.of(16));
    }

    private static int[] shape(Map<String, StoredTensor> sd, String key, int rank, List<String> problems) {
        StoredTensor t = sd.get(key);
        if (t == null) {
            problems.add("missing tensor '" + key + "'");
            return null;
        }
        int[] s = t.shape();
        if (s.length != rank) {
            problems.add("tensor '" + key + "' has rank " + s.length + ", expected " + rank);
            return null;
        }
        for (int d : s) {
            if (d < 1) {
                problems.add("tensor '" + key + "' has an empty dimension " + java.util.Arrays.toString(s));
                return null;
            }
        }
        return s;
    }

    private static int multiplier(Map<String, StoredTensor> sd, String key, int ch, List<String> problems) {
        int[] s = sd.get(key).shape();
        if (s.length != 4 || s[0] % ch != 0 || s[0] == 0) {
            problems.add("tensor '" + key + "' has shape " + java.util.Arrays.toString(s)
                    + ", expected [k*" + ch + ", C, 3, 3]");
            return 1;
        }
        return s[0] / ch;
    }

    @Override
    public String toString() {
        return "channels " + channels + ", z " + zChannels + ", codes " + codebookSize + "x" + embeddingDim
                + ", encoder " + encoderChannelsMult + ", decoders " + decoderChannelsMult;
    }
}
