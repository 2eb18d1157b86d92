package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@SuppressWarnings("try")
class AdamWTest {

    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final double WD = 0.1;
    private static final double LR = 0.01;
    private static final float[] C = {0.5f, -3f, 2f};
    private static final float D = 0.75f;

    private static NDManager root;

    @BeforeAll
    static void engine() {
        root = TrainingRuntime.newManager(1);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    /**
     * loss = sum(C * w) + D * sum(b^2): grad w = C, grad b = 2 D b. Two updates checked against AdamW's formula
     * evaluated here in double precision; w decays, b does not.
     */
    @Test
    void matchesTheFormulaAndZeroesGradients() {
        try (ParameterStore store = new ParameterStore(root); NoGrad g = NoGrad.enter()) {
            NDArray w = store.addParameter("w", root.create(new float[]{1f, -2f, 0.5f}), true);
            NDArray b = store.addParameter("b", root.create(new float[]{0.25f, 3f}), false);
            double[] wRef = {1, -2, 0.5};
            double[] bRef = {0.25, 3};
            double[][] m = {new double[3], new double[2]};
            double[][] v = {new double[3], new double[2]};
            try (AdamW adam = new AdamW(store, B1, B2, EPS, WD)) {
                for (int t = 1; t <= 2; t++) {
                    double[] gw = {C[0], C[1], C[2]};
                    double[] gb = {2 * D * bRef[0], 2 * D * bRef[1]};
                    try (NDManager scope = store.manager().newSubManager()) {
                        List<NDArray> attached = new ArrayList<>(List.of(w, b));
                        attached.addAll(adam.stateArrays());
                        scope.tempAttachAll(attached.toArray(NDArray[]::new));
                        try (GradientCollector collector = root.getEngine().newGradientCollector()) {
                            NDArray loss = w.mul(scope.create(C)).sum().add(b.square().sum().mul(D));
                            collector.backward(loss);
                        }
                        Map<String, NDArray> grads = adam.gradients(scope);
                        // If gradients accumulated across steps, the second step would see 2 * C.
                        assertArrayEquals(toFloats(gw), grads.get("w").toFloatArray(), 1e-6f, "grad w, step " + t);
                        assertArrayEquals(toFloats(gb), grads.get("b").toFloatArray(), 1e-6f, "grad b, step " + t);
                        adam.step(grads, LR, 1.0);
                    }
                    adam.zeroGradients();
                    reference(wRef, gw, m[0], v[0], t, true);
                    reference(bRef, gb, m[1], v[1], t, false);
                    assertArrayEquals(toFloats(wRef), w.toFloatArray(), 1e-6f, "w after step " + t);
                    assertArrayEquals(toFloats(bRef), b.toFloatArray(), 1e-6f, "b after step " + t);
                    assertArrayEquals(toFloats(m[0]), adam.firstMoments().get("w").toFloatArray(), 1e-6f);
                    assertArrayEquals(toFloats(v[1]), adam.secondMoments().get("b").toFloatArray(), 1e-6f);
                    if (t == 1) {
                        // Step 1 in closed form: m^ = g, v^ = g^2, so the move is lr * sign(g), after the decay.
                        assertEquals(1 * (1 - LR * WD) - LR, w.toFloatArray()[0], 1e-6);
                        assertEquals(0.25 - LR, b.toFloatArray()[0], 1e-6);
                    }
                }
                assertEquals(2, adam.stepCount());
            }
        }
    }

    /** torch.optim.AdamW for one parameter, in double precision. */
    private static void reference(double[] p, double[] g, double[] m, double[] v, int t, boolean decay) {
        for (int i = 0; i < p.length; i++) {
            if (decay) {
                p[i] *= 1 - LR * WD;
            }
            m[i] = B1 * m[i] + (1 - B1) * g[i];
            v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.pow(B1, t));
            double vHat = v[i] / (1 - Math.pow(B2, t));
            p[i] -= LR * mHat / (Math.sqrt(vHat) + EPS);
        }
    }

    @Test
    void refusesArraysThatWouldLeakOutOfTheStep() {
        try (ParameterStore store = new ParameterStore(root); NoGrad g = NoGrad.enter();
             NDManager scope = root.newSubManager()) {
            store.addParameter("w", root.create(new float[]{1f}), true);
            try (AdamW adam = new AdamW(store, B1, B2, EPS, WD)) {
                Map<String, NDArray> grads = Map.of("w", scope.create(new float[]{1f}));
                assertThrows(IllegalStateException.class, () -> adam.step(grads, LR, 1));
            }
        }
    }

    @Test
    void clipsByGlobalNorm() {
        try (NDManager m = root.newSubManager()) {
            double norm = GradientClipping.globalNorm(List.of(m.create(new float[]{3, 4}), m.create(new float[]{12})));
            assertEquals(13, norm, 1e-6);
            assertEquals(1 / (13 + 1e-6), GradientClipping.scale(norm, 1), 1e-12);
            assertEquals(1, GradientClipping.scale(norm, 20), 0);
            assertEquals(1, GradientClipping.scale(norm, 0), 0, "0: clipping off");
            assertEquals(0, GradientClipping.globalNorm(List.of()), 0);
        }
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
