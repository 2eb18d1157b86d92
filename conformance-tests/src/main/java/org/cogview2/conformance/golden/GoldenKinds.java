package org.cogview2.conformance.golden;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every golden kind this SDK implements. */
public final class GoldenKinds {

    private GoldenKinds() {
    }

    /** The backend capability a kind needs beyond the basic kernels, or null. */
    public static org.cogview2.spi.Capability requiredCapability(String kind) {
        return switch (kind) {
            case "dsr", "itersr", "local_attention" -> org.cogview2.spi.Capability.LOCAL_ATTENTION;
            case "image_tokenizer", "pipeline" -> org.cogview2.spi.Capability.IMAGE_OPS;
            default -> null;
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
