package org.cogview2.backend.vector;

import jdk.incubator.vector.FloatVector;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import static org.cogview2.backend.vector.Simd.F;
import static org.cogview2.backend.vector.Simd.L;

/** {@code embedding} and the vector quantiser's {@code nearestCode}. */
final class Lookup {

    private final VectorBackend backend;

    Lookup(VectorBackend backend) {
        this.backend = backend;
    }

    /** Rows of the table (widened exactly; mapped tables read in place, only the rows used). */
    Tensor embedding(TensorScope into, Tensor tableIn, Tensor idsIn) {
        String k = "embedding";
        VScope scope = backend.ownScope(k, into);
        VTensor table = backend.own(k, "table", tableIn);
        VTensor ids = backend.own(k, "ids", idsIn);
        Checks.floating(k, "table", table);
        Checks.rank(k, "table", table, 2, "[V, h]");
        Checks.i32(k, "ids", ids);
        int vocab = table.shape().dim(0);
        int h = table.shape().dim(1);
        VTensor.Ints id = ids.ints();
        int n = ids.count();
        for (int i = 0; i < n; i++) {
            int v = id.a()[id.off() + i];
            if (v < 0 || v >= vocab) {
                throw Checks.fail(k, "id " + v + " at flat index " + i + " of ids " + ids.shape()
                        + " is outside the " + vocab + " rows of the table");
            }
        }
        int[] outDims = new int[ids.shape().rank() + 1];
        System.arraycopy(ids.shape().dims(), 0, outDims, 0, outDims.length - 1);
        outDims[outDims.length - 1] = h;
        VTensor out = scope.allocateF32(Shape.of(outDims));
        float[] y = out.f32();
        Store store = table.store();
        for (int i = 0; i < n; i++) {
            Halfs.read(store, table.offset() + (long) id.a()[id.off() + i] * h, y, i * h, h);
        }
        return out;
    }

    /**
     * The code minimising {@code (a - b_k) + c_k} with {@code a = sum f_i f_i}, {@code b_k = sum (2 f_i) e_ki},
     * {@code c_k = sum e_ki e_ki}, each sum in fp32 with separately rounded products, index ascending: the reference's
     * exact evaluation (vectorised across codes), so that the chosen indices agree exactly. Ties go to the lowest index.
     */
    Tensor nearestCode(TensorScope into, Tensor zIn, Tensor codebookIn) {
        String k = "nearestCode";
        VScope scope = backend.ownScope(k, into);
        VTensor z = backend.own(k, "z", zIn);
        VTensor codebook = backend.own(k, "codebook", codebookIn);
        Checks.f32(k, "z", z);
        Checks.rank(k, "z", z, 2, "[N, D]");
        Checks.floating(k, "codebook", codebook);
        Checks.rank(k, "codebook", codebook, 2, "[K, D]");
        int n = z.shape().dim(0);
        int dim = z.shape().dim(1);
        int codes = codebook.shape().dim(0);
        if (codebook.shape().dim(1) != dim) {
            throw Checks.fail(k, "codebook must have shape [K, D] with D = " + dim + " (the width of z " + z.shape()
                    + "), got " + codebook.describe());
        }
        if (codes == 0) {
            throw Checks.fail(k, "codebook must have at least one code, got " + codebook.describe());
        }
        VTensor out = scope.allocate(DType.I32, Shape.of(n));
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
        return out;
    }
}
