package org.cogview2.backend.vector;

import org.cogview2.spi.support.MathFamilies;
import jdk.incubator.vector.FloatVector;

import static org.cogview2.backend.vector.Simd.F;
import static org.cogview2.backend.vector.Simd.L;

/** {@code embedding} and the vector quantiser's {@code nearestCode}. */
final class Lookup implements MathFamilies.Lookup<VTensor> {

    private final VectorBackend backend;

    Lookup(VectorBackend backend) {
        this.backend = backend;
    }

    /** Rows of the table (widened exactly; mapped tables read in place, only the rows used). */
    @Override
    public void embedding(VTensor out, VTensor table, VTensor ids) {
        int h = table.shape().dim(1);
        VTensor.Ints id = ids.ints();
        int n = ids.size();
        float[] y = out.f32();
        Store store = table.store();
        for (int i = 0; i < n; i++) {
            Halfs.read(store, table.offset() + (long) id.a()[id.off() + i] * h, y, i * h, h);
        }
    }

    /**
     * The code minimising {@code (a - b_k) + c_k} with {@code a = sum f_i f_i}, {@code b_k = sum (2 f_i) e_ki},
     * {@code c_k = sum e_ki e_ki}, each sum in fp32 with separately rounded products, index ascending: the reference's
     * exact evaluation (vectorised across codes), so that the chosen indices agree exactly. Ties go to the lowest index.
     */
    @Override
    public void nearestCode(VTensor out, VTensor z, VTensor codebook) {
        int n = z.shape().dim(0);
        int dim = z.shape().dim(1);
        int codes = codebook.shape().dim(0);
        int[] y = ((Store.I32) out.store()).a();
        VTensor.Floats zd = z.floats();
        VTensor.Floats ed = codebook.floats();
        float[] e = ed.a();
        int eOff = ed.off();
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
        backend.workers().run(n, 2L * n * dim * codes, row -> {
            float[] b = new float[codes];
            int zOff = zd.off() + row * dim;
            float a = 0f;
            for (int i = 0; i < dim; i++) {
                float f = zd.a()[zOff + i];
                a += f * f;
            }
            int bound = F.loopBound(codes);
            for (int i = 0; i < dim; i++) {
                float twoF = 2f * zd.a()[zOff + i];
                int rowOff = i * codes;
                int j = 0;
                for (; j < bound; j += L) {
                    // Product and sum rounded separately (no fused multiply-add), as in the reference.
                    FloatVector.fromArray(F, b, j).add(FloatVector.fromArray(F, et, rowOff + j).mul(twoF)).intoArray(b, j);
                }
                for (; j < codes; j++) {
                    b[j] += twoF * et[rowOff + j];
                }
            }
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
        });
    }
}
