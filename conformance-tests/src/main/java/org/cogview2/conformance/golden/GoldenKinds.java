package org.cogview2.conformance.golden;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every golden kind this SDK implements. */
public final class GoldenKinds {

    private GoldenKinds() {
    }

    public static Map<String, GoldenKind> all() {
        Map<String, GoldenKind> kinds = new LinkedHashMap<>();
        for (GoldenKind k : List.<GoldenKind>of(new LocalAttentionKind())) {
            kinds.put(k.kind(), k);
        }
        return kinds;
    }
}
