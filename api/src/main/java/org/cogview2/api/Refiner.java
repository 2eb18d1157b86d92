package org.cogview2.api;

import java.util.List;

/**
 * Stage 3: iterative super-resolution. Six LoPAR passes re-mask and re-sample the 60x60 grid in a fixed local
 * pattern, with top-k 40, 40, 40, 20, 20, 10.
 */
public interface Refiner {

    /**
     * Refines each 60x60 grid, conditioned on the first 16 text ids of the prompt.
     *
     * @param greedy take the most likely token in every draw (for verification) instead of sampling
     */
    List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean greedy, long seed, RunControl control);

    /**
     * As {@link #refine(int[], List, boolean, long, RunControl)}, but only cells where {@code editable} (3600 flags,
     * raster order) is true may change: text-guided completion.
     */
    List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean[] editable, boolean greedy, long seed, RunControl control);
}
