package org.cogview2.conformance.golden;

import org.cogview2.spi.Capability;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every golden kind this SDK implements. */
public final class GoldenKinds {

    private GoldenKinds() {
    }

    /**
     * The backend capabilities a kind needs beyond the required kernels (empty if none). The local-attention cases
     * check Image-Local-Attention's primitives as well as the fused kernels, so they need both.
     */
    public static Set<Capability> requiredCapabilities(String kind) {
        return switch (kind) {
            case "dsr", "itersr" -> EnumSet.of(Capability.LOCAL_ATTENTION);
            case "local_attention" -> EnumSet.of(Capability.LOCAL_ATTENTION, Capability.PRIMITIVE_KERNELS);
            case "image_tokenizer", "pipeline" -> EnumSet.of(Capability.IMAGE_OPS);
            default -> EnumSet.noneOf(Capability.class);
        };
    }

    public static Map<String, GoldenKind> all() {
        Map<String, GoldenKind> kinds = new LinkedHashMap<>();
        for (GoldenKind k : List.<GoldenKind>of(new TextTokenizerKind(), new ImageTokenizerKind(),
                new CoglmForwardKind(), new CoglmGenerateKind(), new PostSelectionKind(), new DsrKind(), new IterSrKind(),
                new PipelineKind(), new LocalAttentionKind())) {
            kinds.put(k.kind(), k);
        }
        return kinds;
    }
}
