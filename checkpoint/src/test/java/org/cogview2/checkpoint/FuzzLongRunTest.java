package org.cogview2.checkpoint;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.Size;

import java.util.List;

/**
 * The fuzz properties of {@link CheckpointFuzzTest} with random seeds and as many tries as
 * {@code jqwik.tries.default} says (100 000 per property unless overridden). Excluded from the normal build
 * (tag {@code fuzz-long}); start it by hand:
 * <pre>
 * mvn -pl checkpoint -am verify -Dsurefire.failIfNoSpecifiedTests=false -Dtest=FuzzLongRunTest \
 *     -Dcheckpoint.fuzz.excludedGroups=none [-Djqwik.tries.default=1000000]
 * </pre>
 * A failure prints the seed; paste it into a {@code seed = "..."} of {@link CheckpointFuzzTest} to replay it.
 */
@Tag("fuzz-long")
class FuzzLongRunTest {

    private final CheckpointFuzzTest generators = new CheckpointFuzzTest();

    @Provide
    Arbitrary<byte[]> mutatedCheckpoints() {
        return generators.mutatedCheckpoints();
    }

    @Provide
    Arbitrary<List<Fuzzing.Piece>> pickles() {
        return generators.pickles();
    }

    @Provide
    Arbitrary<byte[]> tensorRecords() {
        return generators.tensorRecords();
    }

    @Provide
    Arbitrary<byte[]> configs() {
        return generators.configs();
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void mutatedCheckpoints(@ForAll("mutatedCheckpoints") byte[] bytes) {
        Fuzzing.checkpointOracle(bytes);
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void randomPickles(@ForAll("pickles") List<Fuzzing.Piece> pieces, @ForAll boolean proto, @ForAll boolean stop) {
        Fuzzing.checkpointOracle(Fuzzing.pickleArchive(pieces, proto, stop));
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void tensorRecords(@ForAll("tensorRecords") byte[] bytes) {
        Fuzzing.checkpointOracle(bytes);
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void configs(@ForAll("configs") byte[] json) {
        Fuzzing.configOracle(json);
    }

    @Provide
    Arbitrary<PyTrees.Node> trees() {
        return generators.trees();
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void validTreesLoadExactly(@ForAll("trees") PyTrees.Node tree) {
        try (TorchCheckpoint c = Ckpt.parse(PyTrees.checkpoint(tree))) {
            PyTrees.assertReads(tree, c.root(), "root");
        }
    }

    @Property
    void randomBytes(@ForAll @Size(max = 4096) byte[] bytes) {
        Fuzzing.checkpointOracle(bytes);
        Fuzzing.configOracle(bytes);
    }
}
