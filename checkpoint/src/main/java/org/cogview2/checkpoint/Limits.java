package org.cogview2.checkpoint;

/**
 * Bounds that make hostile checkpoints fail fast with a {@link CheckpointLimitException} instead of exhausting
 * heap, stack or time. Real files are far below every bound: a 48-layer SAT checkpoint has a {@code data.pkl} of
 * about 100 KiB, some 20 000 opcodes, nesting depth 3 and rank-2 tensors.
 *
 * @param maxPickleBytes   largest {@code data.pkl} accepted
 * @param maxOpcodes       most opcodes executed
 * @param maxMemoEntries   most memo entries and largest memo index + 1
 * @param maxLineBytes     longest argument line of a text opcode (protocol 0)
 * @param maxIntBytes      longest integer literal (LONG4 payload bytes, decimal digits of LONG)
 * @param maxNestingDepth  deepest container nesting in the unpickled tree
 * @param maxTensorRank    most dimensions of a tensor
 * @param maxTensors       most tensor objects in the tree (references to the same tensor count each time)
 * @param maxCopiedBytesOverFileSize bytes that non-contiguous or byte-swapped tensors may copy, on top of the
 *                         file size (such copies are the only allocations proportional to tensor data)
 */
record Limits(long maxPickleBytes, long maxOpcodes, int maxMemoEntries, int maxLineBytes, int maxIntBytes,
              int maxNestingDepth, int maxTensorRank, int maxTensors, long maxCopiedBytesOverFileSize) {

    static final Limits DEFAULT = new Limits(16L << 20, 1_000_000, 1 << 20, 4096, 1024, 100, 32, 100_000, 64L << 20);

    Limits withMaxOpcodes(long n) {
        return new Limits(maxPickleBytes, n, maxMemoEntries, maxLineBytes, maxIntBytes, maxNestingDepth,
                maxTensorRank, maxTensors, maxCopiedBytesOverFileSize);
    }

    Limits withMaxPickleBytes(long n) {
        return new Limits(n, maxOpcodes, maxMemoEntries, maxLineBytes, maxIntBytes, maxNestingDepth,
                maxTensorRank, maxTensors, maxCopiedBytesOverFileSize);
    }
}
