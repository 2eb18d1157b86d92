package org.cogview2.checkpoint;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;

/**
 * Property-based fuzzing of the zip, pickle and config readers with fixed seeds, so CI runs the same inputs every
 * time. {@link FuzzLongRunTest} runs the same properties with random seeds and many more tries, by hand.
 */
class CheckpointFuzzTest {

    static final List<byte[]> SEEDS = Fuzzing.seeds();

    @Provide
    Arbitrary<byte[]> mutatedCheckpoints() {
        return Arbitraries.integers().between(0, SEEDS.size() - 1)
                .flatMap(i -> Fuzzing.mutation().list().ofMinSize(1).ofMaxSize(6)
                        .map(ms -> Fuzzing.applyAll(SEEDS.get(i), ms)));
    }

    @Provide
    Arbitrary<List<Fuzzing.Piece>> pickles() {
        return Fuzzing.piece().list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<byte[]> tensorRecords() {
        return Fuzzing.tensorRecord();
    }

    @Provide
    Arbitrary<byte[]> configs() {
        return Fuzzing.config();
    }

    @Property(tries = 1500, seed = "7355608", edgeCases = EdgeCasesMode.NONE)
    void mutatedCheckpointsLoadOrFailCleanly(@ForAll("mutatedCheckpoints") byte[] bytes) {
        Fuzzing.checkpointOracle(bytes);
    }

    @Property(tries = 1500, seed = "271828", edgeCases = EdgeCasesMode.NONE)
    void randomPicklesLoadOrFailCleanly(@ForAll("pickles") List<Fuzzing.Piece> pieces, @ForAll boolean proto,
                                        @ForAll boolean stop) {
        Fuzzing.checkpointOracle(Fuzzing.pickleArchive(pieces, proto, stop));
    }

    @Property(tries = 800, seed = "314159", edgeCases = EdgeCasesMode.NONE)
    void arbitraryTensorRecordsLoadOrFailCleanly(@ForAll("tensorRecords") byte[] bytes) {
        Fuzzing.checkpointOracle(bytes);
    }

    @Property(tries = 1000, seed = "161803", edgeCases = EdgeCasesMode.NONE)
    void randomConfigsParseOrFailCleanly(@ForAll("configs") byte[] json) {
        Fuzzing.configOracle(json);
    }

    @Provide
    Arbitrary<PyTrees.Node> trees() {
        return PyTrees.node(4);
    }

    /** Valid data trees must load, and load exactly: the reader is not only safe but also correct. */
    @Property(tries = 600, seed = "577215", edgeCases = EdgeCasesMode.NONE)
    void validTreesLoadExactly(@ForAll("trees") PyTrees.Node tree) {
        try (TorchCheckpoint c = Ckpt.parse(PyTrees.checkpoint(tree))) {
            PyTrees.assertReads(tree, c.root(), "root");
        }
    }

    @Property(tries = 300, seed = "141421")
    void randomBytesAreRejectedCleanly(@ForAll @Size(max = 600) byte[] bytes) {
        Fuzzing.checkpointOracle(bytes);
        Fuzzing.configOracle(bytes);
    }
}
