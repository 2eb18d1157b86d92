package org.cogview2.conformance;

import org.cogview2.spi.Capability;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One statement of a kernel's contract, checked on one or more cases. Its name states the rule (for example
 * {@code attention_masked_scores_are_minus_10000}) so that a failure points at it, as in the Reactive Streams TCK.
 *
 * @param name        the rule, in snake case, starting with the kernel name
 * @param kernel      the kernel (or {@code tensors} for transfers and scopes) it belongs to
 * @param description the rule in words
 * @param requires    capabilities a backend must declare for the rule to run (otherwise it is skipped)
 * @param tolerance   the tolerance of its float comparisons
 * @param cases       the inputs it is checked on
 */
public record Rule(String name, String kernel, String description, Set<Capability> requires, Tolerance tolerance,
                   List<Case> cases) {

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kernel, "kernel");
        requires = requires.isEmpty() ? Set.of() : Set.copyOf(requires);
        cases = List.copyOf(cases);
    }

    /** The code of one case: it runs kernels through the context and returns the comparisons it made. */
    @FunctionalInterface
    public interface Body {
        List<ComparisonResult> run(CaseContext context) throws Exception;
    }

    /**
     * One input configuration of a rule.
     *
     * @param name     a short description of the inputs, e.g. {@code x[3,63] eps 1e-5}
     * @param requires capabilities needed beyond the rule's
     * @param body     the check
     */
    public record Case(String name, Set<Capability> requires, Body body) {
        public Case {
            requires = requires.isEmpty() ? Set.of() : Set.copyOf(requires);
        }
    }

    /**
     * How a rule counts towards a verdict, as in the Reactive Streams TCK: a {@code REQUIRED} rule holds for every
     * backend; an {@code OPTIONAL} rule checks something a backend may leave out (every one of its cases needs a
     * {@link Capability}), and is skipped, never passed, where the backend does not declare it.
     */
    public enum Tier {
        REQUIRED, OPTIONAL;

        /** The prefix of a rule id of this tier: {@code required_} or {@code optional_}. */
        public String prefix() {
            return name().toLowerCase(java.util.Locale.ROOT) + "_";
        }
    }

    /** {@link Tier#OPTIONAL} if every case needs a capability, else {@link Tier#REQUIRED}. */
    public Tier tier() {
        return cases.stream().allMatch(c -> !requirements(c).isEmpty()) ? Tier.OPTIONAL : Tier.REQUIRED;
    }

    /**
     * The stable id a vendor names the rule by ({@code certify --rule}, {@code notVerified}): the tier's prefix and
     * the name, e.g. {@code required_linear_is_fp32_dot_product_plus_bias}.
     */
    public String id() {
        return tier().prefix() + name;
    }

    /** Whether {@code idOrName} names this rule (its id, or its name without the tier prefix). */
    public boolean isNamed(String idOrName) {
        return id().equals(idOrName) || name.equals(idOrName);
    }

    /** Every capability a case needs: the rule's and its own. */
    public Set<Capability> requirements(Case c) {
        EnumSet<Capability> all = EnumSet.noneOf(Capability.class);
        all.addAll(requires);
        all.addAll(c.requires());
        return all;
    }

    public static Builder builder(String name, String kernel) {
        return new Builder(name, kernel);
    }

    /** Builds a rule. */
    public static final class Builder {
        private final String name;
        private final String kernel;
        private String description = "";
        private final EnumSet<Capability> requires = EnumSet.noneOf(Capability.class);
        private Tolerance tolerance = Tolerance.EXACT;
        private final List<Case> cases = new ArrayList<>();

        private Builder(String name, String kernel) {
            this.name = name;
            this.kernel = kernel;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public Builder requires(Capability... capabilities) {
            requires.addAll(List.of(capabilities));
            return this;
        }

        public Builder tolerance(Tolerance t) {
            this.tolerance = t;
            return this;
        }

        public Builder check(String caseName, Body body) {
            cases.add(new Case(caseName, Set.of(), body));
            return this;
        }

        public Builder check(String caseName, Set<Capability> requires, Body body) {
            cases.add(new Case(caseName, requires, body));
            return this;
        }

        public Rule build() {
            if (cases.isEmpty()) {
                throw new IllegalStateException("rule " + name + " has no cases");
            }
            return new Rule(name, kernel, description, requires, tolerance, cases);
        }
    }
}
