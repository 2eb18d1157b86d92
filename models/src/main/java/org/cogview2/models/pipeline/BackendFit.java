package org.cogview2.models.pipeline;

import org.cogview2.api.BackendUnavailableException;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a backend declares every {@link Capability} a model set needs, checked before anything is uploaded so that a
 * backend without, say, local attention is refused by name when the set opens rather than failing in the middle of a
 * generation: the image tokenizer needs {@link Capability#IMAGE_OPS}, both super-resolution stages
 * {@link Capability#LOCAL_ATTENTION}, and a checkpoint stored in fp16 or bf16 needs {@link Capability#F16_WEIGHTS} or
 * {@link Capability#BF16_WEIGHTS} (weights are uploaded as stored, never widened behind the user's back).
 */
final class BackendFit {

    private BackendFit() {
    }

    /** @throws BackendUnavailableException naming each missing capability and what needs it */
    static void require(Backend backend, ModelSources sources) {
        Map<Capability, Set<String>> needs = needs(sources);
        List<String> missing = new ArrayList<>();
        needs.forEach((capability, users) -> {
            if (!backend.capabilities().contains(capability)) {
                missing.add(capability + " (needed by " + String.join(", ", users) + ")");
            }
        });
        if (!missing.isEmpty()) {
            throw new BackendUnavailableException("backend '" + backend.name() + "' cannot run this model set: it does not"
                    + " declare " + String.join("; ", missing) + ". It declares " + backend.capabilities()
                    + "; choose another backend (see 'cogview2 backends').", null);
        }
    }

    /** Each capability the set needs, with what needs it, in the order of the pipeline. */
    static Map<Capability, Set<String>> needs(ModelSources sources) {
        Map<Capability, Set<String>> needs = new EnumMap<>(Capability.class);
        need(needs, Capability.IMAGE_OPS, "the image tokenizer");
        need(needs, Capability.LOCAL_ATTENTION, "direct super-resolution");
        need(needs, Capability.LOCAL_ATTENTION, "iterative super-resolution");
        weightTypes(needs, sources.coglm().checkpointFile());
        weightTypes(needs, sources.dsr().checkpointFile());
        weightTypes(needs, sources.itersr().checkpointFile());
        weightTypes(needs, sources.iceImage());
        return needs;
    }

    private static void weightTypes(Map<Capability, Set<String>> needs, Path file) {
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            for (StoredTensor t : checkpoint.stateDict().values()) {
                if (t.dtype() == DType.F16) {
                    need(needs, Capability.F16_WEIGHTS, file + " (fp16, e.g. " + t.key() + ")");
                    break;
                }
            }
            for (StoredTensor t : checkpoint.stateDict().values()) {
                if (t.dtype() == DType.BF16) {
                    need(needs, Capability.BF16_WEIGHTS, file + " (bf16, e.g. " + t.key() + ")");
                    break;
                }
            }
        }
    }

    private static void need(Map<Capability, Set<String>> needs, Capability capability, String user) {
        needs.computeIfAbsent(capability, c -> new LinkedHashSet<>()).add(user);
    }
}
