package org.cogview2.checkpoint;

import org.cogview2.api.UnsafeModelFileException;

import java.nio.file.Path;

/**
 * The pickle of a checkpoint refers to a Python global outside the {@link PickleAllowList} (for example
 * {@code os.system}, {@code builtins.eval} or an unknown class), or uses the copyreg extension registry, which
 * names globals indirectly. The file was rejected before anything from it could run; nothing ever runs.
 */
public class ForbiddenGlobalException extends UnsafeModelFileException {

    /** The refused global. */
    private final String global;

    /**
     * @param file    the checkpoint
     * @param global  the refused global as {@code module.name}
     * @param problem the full explanation (where it was found, what is allowed)
     */
    public ForbiddenGlobalException(Path file, String global, String problem) {
        super(file, problem);
        this.global = global;
    }

    /** The refused global as {@code module.name}. */
    public String global() {
        return global;
    }
}
