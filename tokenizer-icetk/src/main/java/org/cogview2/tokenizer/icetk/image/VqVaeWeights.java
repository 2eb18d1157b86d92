package org.cogview2.tokenizer.icetk.image;

import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads HVQVAE parameters by state-dict name ({@code ice_image.pt['module']}, spec 01 §2.8), uploading each on first
 * use. Structure (levels, blocks, attention) and widths are read off the names and shapes present, so the reduced
 * golden model and the released one load alike. Every missing parameter is reported at once, with the file.
 */
final class VqVaeWeights {

    private final Path file;
    private final TensorScope scope;
    private final Map<String, StoredTensor> stateDict;
    private final TreeSet<String> missing = new TreeSet<>();

    VqVaeWeights(Path file, TensorScope scope, Map<String, StoredTensor> stateDict) {
        this.file = file;
        this.scope = scope;
        this.stateDict = stateDict;
    }

    boolean has(String key) {
        return stateDict.containsKey(key);
    }

    /** Number of consecutive indices {@code i} (from 0) for which {@code prefix + i + suffix} exists. */
    int count(String prefix, String suffix) {
        int n = 0;
        while (has(prefix + n + suffix)) {
            n++;
        }
        return n;
    }

    int[] shape(String key) {
        StoredTensor t = stateDict.get(key);
        return t == null ? null : t.shape();
    }

    /** The tensor, or null after recording it as missing. */
    Tensor tensor(String key) {
        StoredTensor t = stateDict.get(key);
        if (t == null) {
            missing.add(key);
            return null;
        }
        return scope.upload(t.data(), t.dtype(), Shape.of(t.shape()));
    }

    VqVaeBlocks.Conv conv(String prefix) {
        return new VqVaeBlocks.Conv(tensor(prefix + ".weight"), tensor(prefix + ".bias"));
    }

    VqVaeBlocks.GroupNorm norm(String prefix) {
        return new VqVaeBlocks.GroupNorm(tensor(prefix + ".weight"), tensor(prefix + ".bias"));
    }

    VqVaeBlocks.ResnetBlock resnet(String prefix) {
        VqVaeBlocks.Conv shortcut = has(prefix + ".nin_shortcut.weight") ? conv(prefix + ".nin_shortcut") : null;
        return new VqVaeBlocks.ResnetBlock(norm(prefix + ".norm1"), conv(prefix + ".conv1"),
                norm(prefix + ".norm2"), conv(prefix + ".conv2"), shortcut);
    }

    VqVaeBlocks.AttnBlock attention(String prefix) {
        return new VqVaeBlocks.AttnBlock(norm(prefix + ".norm"), conv(prefix + ".q"), conv(prefix + ".k"),
                conv(prefix + ".v"), conv(prefix + ".proj_out"));
    }

    List<VqVaeBlocks.ResnetBlock> resnets(String prefix) {
        List<VqVaeBlocks.ResnetBlock> blocks = new ArrayList<>();
        int n = count(prefix + ".", ".norm1.weight");
        for (int j = 0; j < n; j++) {
            blocks.add(resnet(prefix + "." + j));
        }
        return blocks;
    }

    /** Fails with every missing key if any parameter asked for was absent. */
    void requireComplete() {
        if (!missing.isEmpty()) {
            throw new ModelFormatException(file, "the image tokenizer state dict lacks " + missing.size()
                    + " parameter(s): " + String.join(", ", missing));
        }
    }
}
