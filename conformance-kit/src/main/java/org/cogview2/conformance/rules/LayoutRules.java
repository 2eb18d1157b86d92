package org.cogview2.conformance.rules;

import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerances;
import org.cogview2.conformance.KernelOp;
import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;

import java.util.List;
import java.util.Set;

import static org.cogview2.spi.Capability.F16_WEIGHTS;

/** permute, concat, slice, copyInto: exact copies. */
final class LayoutRules {

    private LayoutRules() {
    }

    static List<Rule> rules() {
        return List.of(
                Rule.builder("permute_output_axis_i_is_input_axis_axes_i", "permute")
                        .description("a copy with the axes reordered; any dtype.")
                        .tolerance(Tolerances.EXACT)
                        .check("[2,3,4,5] axes (0,2,3,1)", c -> c.compare(permute(0, 2, 3, 1), c.normal(1, 2, 3, 4, 5)))
                        .check("grid [60,60,8] axes (2,0,1)", c -> c.compare(permute(2, 0, 1), c.normal(1, 60, 60, 8)))
                        .check("I32 [3,4] axes (1,0)", c -> c.compare(permute(1, 0), c.ints(1000, 3, 4)))
                        .check("F16 [2,3,4] axes (2,1,0)", Set.of(F16_WEIGHTS), c -> c.compare(permute(2, 1, 0), c.normal(1, 2, 3, 4).as(DType.F16)))
                        .build(),
                Rule.builder("concat_joins_parts_along_dim", "concat")
                        .description("parts agreeing on every other dimension, joined along dim (negative counts from"
                                + " the end); any dtype.")
                        .tolerance(Tolerances.EXACT)
                        .check("dim 0: [2,3] + [5,3]", c -> c.compare(concat(0, 2), c.normal(1, 2, 3), c.normal(1, 5, 3)))
                        .check("dim 1: [2,1,4] + [2,6,4]", c -> c.compare(concat(1, 2), c.normal(1, 2, 1, 4), c.normal(1, 2, 6, 4)))
                        .check("dim -1: three parts [3,2] [3,5] [3,1]",
                                c -> c.compare(concat(-1, 3), c.normal(1, 3, 2), c.normal(1, 3, 5), c.normal(1, 3, 1)))
                        .check("I32 dim 0", c -> c.compare(concat(0, 2), c.ints(100, 4), c.ints(100, 3)))
                        .build(),
                Rule.builder("slice_copies_a_range_along_dim", "slice")
                        .description("indices [start, start + length) along dim.")
                        .tolerance(Tolerances.EXACT)
                        .check("dim 0 rows 2..5 of [7,3]", c -> c.compare(slice(0, 2, 3), c.normal(1, 7, 3)))
                        .check("dim 1 middle of [2,22,16]", c -> c.compare(slice(1, 6, 16), c.normal(1, 2, 22, 16)))
                        .check("dim -1 last 2 of [3,4,5]", c -> c.compare(slice(-1, 3, 2), c.normal(1, 3, 4, 5)))
                        .check("I32 dim 1", c -> c.compare(slice(1, 1, 2), c.ints(100, 2, 4)))
                        .build(),
                Rule.builder("copyInto_writes_src_at_offset_along_dim", "copyInto")
                        .description("dst keeps its elements except the range written from src (used to append to"
                                + " key/value caches).")
                        .tolerance(Tolerances.EXACT)
                        .check("KV-cache append [1,10,8] <- [1,3,8] at 7 along dim 1",
                                c -> c.compare(copyInto(1, 7), c.normal(1, 1, 10, 8), c.normal(1, 1, 3, 8)))
                        .check("dim 0: [6,4] <- [2,4] at 0", c -> c.compare(copyInto(0, 0), c.normal(1, 6, 4), c.normal(1, 2, 4)))
                        .check("dim -1: [3,5] <- [3,2] at 2", c -> c.compare(copyInto(-1, 2), c.normal(1, 3, 5), c.normal(1, 3, 2)))
                        .build());
    }

    private static KernelOp permute(int... axes) {
        return KernelOp.single((k, s, in) -> k.permute(s, in[0], axes));
    }

    private static KernelOp concat(int dim, int parts) {
        return KernelOp.single((k, s, in) -> {
            Tensor[] p = new Tensor[parts];
            System.arraycopy(in, 0, p, 0, parts);
            return k.concat(s, dim, p);
        });
    }

    private static KernelOp slice(int dim, int start, int length) {
        return KernelOp.single((k, s, in) -> k.slice(s, in[0], dim, start, length));
    }

    private static KernelOp copyInto(int dim, int offset) {
        return KernelOp.single((k, s, in) -> {
            k.copyInto(in[0], dim, offset, in[1]);
            return in[0];
        });
    }
}
