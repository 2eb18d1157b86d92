package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/** Table lookups: {@code embedding} and the vector quantiser's {@code nearestCode}. */
final class LookupKernels {

    private final ReferenceBackend backend;

    LookupKernels(ReferenceBackend backend) {
        this.backend = backend;
    }

    /** Rows of the table at the ids, widened exactly to fp32; only the rows used are read. */
    Tensor embedding(TensorScope into, Tensor tableIn, Tensor idsIn) {
        String k = "embedding";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor table = backend.own(k, "table", tableIn);
        ReferenceTensor ids = backend.own(k, "ids", idsIn);
        Args.floating(k, "table", table);
        Args.rank(k, "table", table, 2, "[V, h]");
        Args.i32(k, "ids", ids);
        int vocab = table.shape().dim(0);
        int h = table.shape().dim(1);
        ReferenceTensor.IntData id = ids.ints();
        int n = ids.count();
        for (int i = 0; i < n; i++) {
            int v = id.data()[id.offset() + i];
            if (v < 0 || v >= vocab) {
                throw Args.fail(k, "id " + v + " at flat index " + i + " of ids " + ids.shape()
                        + " is outside the " + vocab + " rows of the table");
            }
        }
        int[] outDims = new int[ids.shape().rank() + 1];
        System.arraycopy(ids.shape().dims(), 0, outDims, 0, outDims.length - 1);
        outDims[outDims.length - 1] = h;
        ReferenceTensor out = scope.allocateF32(Shape.of(outDims));
        float[] y = out.f32Array();
        Storage storage = table.storage();
        for (int i = 0; i < n; i++) {
            storage.readFloats(table.offset() + (long) id.data()[id.offset() + i] * h, y, i * h, h);
        }
        return out;
    }

    /**
     * For each row f of z the codebook index k minimising {@code (a - b_k) + c_k} with, in fp32 and index ascending,
     * {@code a = sum_i f_i * f_i}, {@code b_k = sum_i (2 f_i) * e_ki}, {@code c_k = sum_i e_ki * e_ki}; ties (and
     * NaN distances, which never win) go to the lowest index.
     */
    Tensor nearestCode(TensorScope into, Tensor zIn, Tensor codebookIn) {
        String k = "nearestCode";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor z = backend.own(k, "z", zIn);
        ReferenceTensor codebook = backend.own(k, "codebook", codebookIn);
        Args.f32(k, "z", z);
        Args.rank(k, "z", z, 2, "[N, D]");
        Args.floating(k, "codebook", codebook);
        Args.rank(k, "codebook", codebook, 2, "[K, D]");
        int n = z.shape().dim(0);
        int dim = z.shape().dim(1);
        int codes = codebook.shape().dim(0);
        if (codebook.shape().dim(1) != dim) {
            throw Args.fail(k, "codebook must have shape [K, D] with D = " + dim + " (the width of z " + z.shape()
                    + "), got " + codebook.describe());
        }
        if (codes == 0) {
            throw Args.fail(k, "codebook must have at least one code, got " + codebook.describe());
        }
        ReferenceTensor out = scope.allocate(DType.I32, Shape.of(n));
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
        backend.parallel().forRows(n, 2L * dim * codes, (from, to) -> {
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
        return out;
    }
}
