package org.cogview2.checkpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * A state dict does not hold what a model needs: every problem found by {@link TensorRequirements#check} at once
 * (missing keys, wrong shapes, wrong dtypes, keys that contradict the configuration), each naming the key,
 * what was expected and what was found.
 */
public class StateDictMismatchException extends CheckpointFormatException {

    /** One line per problem. */
    private final List<String> problems;

    /**
     * @param file     the checkpoint
     * @param model    what the state dict was checked for (e.g. "SAT transformer (2 layers, hidden 64)")
     * @param problems one line per problem
     */
    public StateDictMismatchException(Path file, String model, List<String> problems) {
        super(file, null, problems.size() + " problem(s) in the state dict (checked for " + model + "):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each naming the key. */
    public List<String> problems() {
        return problems;
    }
}
