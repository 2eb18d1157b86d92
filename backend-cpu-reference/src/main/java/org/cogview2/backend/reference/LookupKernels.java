package org.cogview2.backend.reference;

import org.cogview2.spi.support.MathFamilies;

/** Table lookups: {@code embedding} and the vector quantiser's {@code nearestCode}. */
final class LookupKernels implements MathFamilies.Lookup<ReferenceTensor> {

    private final Parallel parallel;

    LookupKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Rows of the table at the ids, widened exactly to fp32; only the rows used are read. */
    @Override
    public void embedding(ReferenceTensor out, ReferenceTensor table, ReferenceTensor ids) {
        int h = table.shape().dim(1);
        ReferenceTensor.IntData id = ids.ints();
        int n = ids.size();
        float[] y = out.f32Array();
        Storage storage = table.storage();
        for (int i = 0; i < n; i++) {
            storage.readFloats(table.offset() + (long) id.data()[id.offset() + i] * h, y, i * h, h);
        }
    }

    /**
     * For each row f of z the codebook index k minimising {@code (a - b_k) + c_k} with, in fp32 and index ascending,
     * {@code a = sum_i f_i * f_i}, {@code b_k = sum_i (2 f_i) * e_ki}, {@code c_k = sum_i e_ki * e_ki}; ties (and
     * NaN distances, which never win) go to the lowest index.
     */
    @Override
    public void nearestCode(ReferenceTensor out, ReferenceTensor z, ReferenceTensor codebook) {
        int n = z.shape().dim(0);
        int dim = z.shape().dim(1);
        int codes = codebook.shape().dim(0);
        int[] y = (int[]) out.storage().array();
        ReferenceTensor.FloatData zd = z.floats();
        // The codebook transposed to [D, K] so that the products 2f . e_k for all k run as one matrix product row.
        ReferenceTensor.FloatData ed = codebook.floats();
        float[] e = ed.data();
        int eOff = ed.offset();
        float[] et = new float[dim * codes];
        float[] c = new float[codes];
        for (int code = 0; code < codes; code++) {
            float sq = 0f;
            for (int i = 0; i < dim; i++) {
                float v = e[eOff + code * dim + i];
                et[i * codes + code] = v;
                sq += v * v;
            }
            c[code] = sq;
        }
        parallel.forRows(n, 2L * dim * codes, (from, to) -> {
            float[] twoF = new float[dim];
            float[] b = new float[codes];
            for (int row = from; row < to; row++) {
                int zOff = zd.offset() + row * dim;
                float a = 0f;
                for (int i = 0; i < dim; i++) {
                    float f = zd.data()[zOff + i];
                    a += f * f;
                    twoF[i] = 2f * f;
                }
                FloatLoops.matmulRows(twoF, 0, et, 0, b, 0, dim, codes, 0, 1);
                int best = 0;
                float bestDistance = Float.NaN;
                for (int code = 0; code < codes; code++) {
                    float distance = (a - b[code]) + c[code];
                    if (Float.isNaN(bestDistance) ? !Float.isNaN(distance) : distance < bestDistance) {
                        best = code;
                        bestDistance = distance;
                    }
                }
                y[row] = best;
            }
        });
    }
}
