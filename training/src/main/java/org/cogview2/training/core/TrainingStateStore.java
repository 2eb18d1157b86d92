package org.cogview2.training.core;

import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training states of a run, one folder per saved step: {@code stateDir/step-000001000/} holding
 * {@code state.pt} (the tensors, in {@code torch.save} format) and {@code state.json} ({@link TrainingState}).
 *
 * <p>A state is written into a hidden temporary folder and renamed into place in one atomic move, so a folder
 * named {@code step-*} is always complete, whatever interrupts the write; the latest one is the one with the
 * highest step. The newest {@code keep} states are kept, older ones and leftovers of interrupted writes deleted.
 */
final class TrainingStateStore {

    static final String TENSORS = "state.pt";
    static final String SCALARS = "state.json";

    private static final Pattern NAME = Pattern.compile("step-(\\d+)");
    private static final String TEMP_PREFIX = ".partial-";

    private final Path dir;
    private final int keep;

    TrainingStateStore(Path dir, int keep) {
        this.dir = dir;
        this.keep = keep;
    }

    /** The folder of the latest complete state, if any. */
    Optional<Path> latest() throws IOException {
        List<Path> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /** Complete states, oldest first. */
    List<Path> complete() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(TENSORS)) && Files.isRegularFile(p.resolve(SCALARS)))
                    .forEach(out::add);
        }
        out.sort(Comparator.comparingLong(TrainingStateStore::stepOf));
        return out;
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(p.toString());
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * Saves a state atomically and prunes old ones.
     *
     * @return the state's folder
     */
    Path write(TrainingState state, Map<String, TorchCheckpointWriter.Tensor> tensors) throws IOException {
        Files.createDirectories(dir);
        String name = String.format("step-%09d", state.step());
        Path tmp = dir.resolve(TEMP_PREFIX + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectories(tmp);
        try {
            TorchCheckpointWriter.saveStateDict(tmp.resolve(TENSORS), tensors);
            Files.writeString(tmp.resolve(SCALARS), state.toJson(), StandardCharsets.UTF_8);
            Path target = dir.resolve(name);
            if (Files.exists(target)) { // the same step saved again (a resumed run stopped at once): replace it
                Path old = dir.resolve(TEMP_PREFIX + "old-" + name + "-" + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            prune();
            return target;
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException | UncheckedIOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void prune() throws IOException {
        List<Path> all = complete();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                deleteTree(p); // an interrupted write of an earlier run
            }
        }
    }

    /** The scalars of the state in {@code folder}. */
    TrainingState readScalars(Path folder) throws IOException {
        Path file = folder.resolve(SCALARS);
        return TrainingState.fromJson(Files.readString(file, StandardCharsets.UTF_8), file);
    }

    /** Opens the tensors of the state in {@code folder} and hands their state dict to {@code reader}. */
    void readTensors(Path folder, Consumer<Map<String, StoredTensor>> reader) {
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(folder.resolve(TENSORS))) {
            reader.accept(checkpoint.stateDict());
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
