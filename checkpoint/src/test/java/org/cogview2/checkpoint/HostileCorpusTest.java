package org.cogview2.checkpoint;

import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.HostileCorpus.Case;
import org.cogview2.checkpoint.HostileCorpus.Reader;
import org.cogview2.checkpoint.npy.NpyArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Writes the hostile corpus to {@code target/hostile-corpus/<reader>/<name><ext>} and runs each file through the
 * public API: each must be rejected with its specific exception type and message (which names the file), quickly,
 * and within a stated allocation bound measured per case on the calling thread.
 */
class HostileCorpusTest {

    /** Largest heap allocation any corpus case may cause (measured per case on the reading thread). */
    static final long ALLOCATION_BOUND = 1L << 20;

    private static final Path CORPUS = Path.of("target", "hostile-corpus");
    private static List<Case> cases;

    @BeforeAll
    static void writeCorpus() throws IOException {
        cases = HostileCorpus.all();
        HostileCorpus.checkNames(cases);
        for (Case c : cases) {
            Path f = file(c);
            Files.createDirectories(f.getParent());
            Files.write(f, c.bytes());
        }
    }

    private static Path file(Case c) {
        return CORPUS.resolve(c.reader().name().toLowerCase()).resolve(c.name() + c.reader().extension);
    }

    /** Runs one case through its reader; returns normally only if the reader accepted the input. */
    private static void read(Case c) throws IOException {
        Path f = file(c);
        switch (c.reader()) {
            case CHECKPOINT -> {
                try (TorchCheckpoint ck = TorchCheckpoint.open(f)) {
                    for (StoredTensor t : ck.stateDict().values()) {
                        if (t.byteSize() > 0) {
                            t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, t.byteSize() - 1);
                        }
                    }
                }
            }
            case CONFIG -> TransformerConfig.read(f);
            case LATEST -> {
                Path dir = CORPUS.resolve("latest-folders").resolve(c.name());
                Files.createDirectories(dir.resolve("1"));
                Files.copy(f, dir.resolve(SatModelFolder.LATEST_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                SatModelFolder.open(dir);
            }
            case NPY -> NpyArray.read(f);
        }
    }

    @Test
    void corpusHasAtLeastFiftyCheckpointAndConfigCases() {
        Map<Reader, Integer> counts = new EnumMap<>(Reader.class);
        for (Case c : cases) {
            counts.merge(c.reader(), 1, Integer::sum);
        }
        int checkpointAndConfig = counts.getOrDefault(Reader.CHECKPOINT, 0) + counts.getOrDefault(Reader.CONFIG, 0)
                + counts.getOrDefault(Reader.LATEST, 0);
        System.out.println("hostile corpus: " + cases.size() + " cases " + counts);
        assertTrue(checkpointAndConfig >= 50, "only " + checkpointAndConfig + " checkpoint/config cases");
    }

    @Test
    @Timeout(120)
    void everyCaseIsRejectedWithItsSpecificErrorWithinTheAllocationBound() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<String> failures = new ArrayList<>();
        long worstAlloc = 0;
        String worstCase = "";
        long worstNanos = 0;
        for (int pass = 0; pass < 2; pass++) { // the first pass warms up class loading
            for (Case c : cases) {
                long a0 = mx.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                Throwable thrown = null;
                try {
                    read(c);
                } catch (Throwable t) {
                    thrown = t;
                }
                long nanos = System.nanoTime() - t0;
                long alloc = mx.getCurrentThreadAllocatedBytes() - a0;
                if (pass == 0) {
                    continue;
                }
                if (System.getenv("CORPUS_PRINT") != null) {
                    System.out.println(c + " [" + alloc + " B] -> " + thrown);
                }
                if (thrown == null) {
                    failures.add(c + ": accepted, expected " + c.expected().getSimpleName());
                } else if (!c.expected().isInstance(thrown)) {
                    failures.add(c + ": threw " + thrown + ", expected " + c.expected().getSimpleName());
                } else if (!thrown.getMessage().contains(c.fragment())) {
                    failures.add(c + ": message lacks '" + c.fragment() + "': " + thrown.getMessage());
                } else if (c.reader() != Reader.LATEST
                        && !((ModelFormatException) thrown).file().toString().endsWith(file(c).getFileName().toString())) {
                    failures.add(c + ": error names file " + ((ModelFormatException) thrown).file());
                }
                if (alloc > worstAlloc) {
                    worstAlloc = alloc;
                    worstCase = c.toString();
                }
                worstNanos = Math.max(worstNanos, nanos);
                if (alloc > ALLOCATION_BOUND) {
                    failures.add(c + ": allocated " + alloc + " bytes, bound " + ALLOCATION_BOUND);
                }
            }
        }
        System.out.printf("hostile corpus: %d cases rejected; largest allocation %d bytes (%s); slowest %.1f ms%n",
                cases.size(), worstAlloc, worstCase, worstNanos / 1e6);
        if (!failures.isEmpty()) {
            fail(failures.size() + " corpus case(s) failed:\n" + String.join("\n", failures));
        }
    }

    @Test
    void theBaseOfTheCheckpointCasesIsValid() throws IOException {
        Path f = CORPUS.resolve("valid-base.pt");
        Files.write(f, HostileCorpus.valid());
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            assertEquals(4, c.stateDict().get("w").toFloats().length);
        }
    }
}
