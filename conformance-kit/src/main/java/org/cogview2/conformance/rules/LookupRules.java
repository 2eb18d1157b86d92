package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.DType;

import java.util.List;
import java.util.Set;

import static org.cogview2.spi.Capability.BF16_WEIGHTS;
import static org.cogview2.spi.Capability.F16_WEIGHTS;

/** embedding and nearestCode. */
final class LookupRules {

    private LookupRules() {
    }

    private static final KernelOp EMBEDDING = KernelOp.single((k, s, in) -> k.embedding(s, in[0], in[1]));
    private static final KernelOp NEAREST = KernelOp.single((k, s, in) -> k.nearestCode(s, in[0], in[1]));

    static List<Rule> rules() {
        return List.of(
                Rule.builder("embedding_copies_table_rows", "embedding")
                        .description("rows of the table at I32 ids of any shape S give F32 [S..., h], exactly.")
                        .tolerance(Tolerances.EXACT)
                        .check("table[50,16] ids[2,7]", c -> c.compare(EMBEDDING, c.normal(1, 50, 16), c.ints(50, 2, 7)))
                        .check("table[50,16] ids[5]", c -> c.compare(EMBEDDING, c.normal(1, 50, 16), c.ints(50, 5)))
                        .check("vocabulary table[23008,8] ids[64]", c -> c.compare(EMBEDDING, c.normal(1, 23008, 8), c.ints(23008, 64)))
                        .build(),
                Rule.builder("embedding_half_tables_are_widened_exactly", "embedding")
                        .description("F16 and BF16 rows are widened exactly.")
                        .tolerance(Tolerances.EXACT)
                        .check("table f16[40,8] ids[3,4]", Set.of(F16_WEIGHTS),
                                c -> c.compare(EMBEDDING, c.normal(1, 40, 8).as(DType.F16), c.ints(40, 3, 4)))
                        .check("table bf16[40,8] ids[3,4]", Set.of(BF16_WEIGHTS),
                                c -> c.compare(EMBEDDING, c.normal(1, 40, 8).as(DType.BF16), c.ints(40, 3, 4)))
                        .build(),

                Rule.builder("nearestCode_finds_the_code_of_least_distance", "nearestCode")
                        .description("the index of the codebook row e_k minimising (sum f^2 - (2f).e_k) + sum e_k^2"
                                + " (inputs placed near codes, so that rounding cannot decide).")
                        .tolerance(Tolerances.EXACT)
                        .check("z[64,16] near codes of codebook[500,16]", c -> nearCodes(c, 64, 500, 16, DType.F32, false))
                        .check("z[20,3] near codes of codebook[7,3]", c -> nearCodes(c, 20, 7, 3, DType.F32, false))
                        .build(),
                Rule.builder("nearestCode_ties_go_to_the_lowest_index", "nearestCode")
                        .description("equal distances (duplicate codes) resolve to the lowest index.")
                        .tolerance(Tolerances.EXACT)
                        .check("codebook[40,8] of duplicated rows, z[30,8]", c -> nearCodes(c, 30, 40, 8, DType.F32, true))
                        .build(),
                Rule.builder("nearestCode_half_codebook_is_widened_exactly", "nearestCode")
                        .description("an F16 codebook is widened exactly.")
                        .requires(F16_WEIGHTS).tolerance(Tolerances.EXACT)
                        .check("codebook f16[300,16], z[50,16]", c -> nearCodes(c, 50, 300, 16, DType.F16, false))
                        .build());
    }

    /**
     * A codebook of normal rows (with {@code duplicates}, row 2j+1 equals row 2j) and queries placed at small
     * distance from randomly chosen codes.
     */
    private static List<ComparisonResult> nearCodes(CaseContext c, int n, int codes, int dim, DType type, boolean duplicates) {
        HostTensor book = c.normal(1, codes, dim).as(type);
        float[] e = book.floats();
        if (duplicates) {
            for (int code = 1; code < codes; code += 2) {
                System.arraycopy(e, (code - 1) * dim, e, code * dim, dim);
            }
        }
        float[] z = c.gaussian(n * dim, 0.02);
        for (int i = 0; i < n; i++) {
            int code = c.random().nextInt(codes);
            for (int f = 0; f < dim; f++) {
                z[i * dim + f] += e[code * dim + f];
            }
        }
        return c.compare(NEAREST, HostTensor.f32(new int[]{n, dim}, z), book);
    }
}
