package org.cogview2.models.sampling;

import org.cogview2.spi.sampling.DrawPurpose;
import org.cogview2.spi.sampling.Picker;
import org.cogview2.spi.sampling.RowDraws;

/** The greedy source of {@link DrawSource#mode()}: the most likely index, on the host or in a sampling kernel. */
enum ModeDraws implements DrawSource {
    INSTANCE;

    @Override
    public int draw(long sample, int step, DrawPurpose purpose, float[] weights, int length) {
        return Picker.argmax(weights, length);
    }

    @Override
    public RowDraws rows(long[] samples, int[] steps) {
        return new RowDraws(0, true, samples, steps);
    }
}
