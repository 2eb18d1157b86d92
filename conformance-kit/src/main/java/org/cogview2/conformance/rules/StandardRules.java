package org.cogview2.conformance.rules;

import org.cogview2.conformance.Rule;

import java.util.ArrayList;
import java.util.List;

/** Every rule of the kit, grouped by kernel family. */
public final class StandardRules {

    private StandardRules() {
    }

    public static List<Rule> all() {
        List<Rule> rules = new ArrayList<>();
        rules.addAll(TensorRules.rules());
        rules.addAll(DenseRules.rules());
        rules.addAll(NormRules.rules());
        rules.addAll(AttentionRules.rules());
        rules.addAll(LocalAttentionRules.rules());
        rules.addAll(LookupRules.rules());
        rules.addAll(ImageRules.rules());
        rules.addAll(LayoutRules.rules());
        rules.addAll(SamplingRules.rules());
        rules.addAll(GoldenRules.rules());
        return List.copyOf(rules);
    }
}
