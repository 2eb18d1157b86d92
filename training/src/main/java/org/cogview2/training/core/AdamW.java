package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as {@code torch.optim.AdamW}: for update {@code t}
 * (1-based) with gradient {@code g} (already scaled by the clipping factor),
 * <pre>
 *   p  = p * (1 - lr * weightDecay)                       (parameters registered with decay only)
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g^2
 *   p  = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Moments are fp32 arrays of the parameters' shapes, owned by the optimizer. Updates are in place, outside
 * autograd, on the store's arrays (so models holding them see the new values).
 *
 * <p>A parameter that was not used in the backward has no gradient; it is updated with a zero gradient (its
 * moments decay, weight decay applies), as in PyTorch when gradients are zeroed rather than set to None. Doing
 * the same on every step, fresh or resumed, keeps resumed runs identical to uninterrupted ones.
 */
@SuppressWarnings("try") // scopes (NoGrad, step managers) are entered for their effect
public final class AdamW implements AutoCloseable {

    private final ParameterStore store;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long stepCount;

    /** An optimizer for every parameter of {@code store}, with zero moments. */
    public AdamW(ParameterStore store, double beta1, double beta2, double eps, double weightDecay) {
        this.store = store;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = store.manager().newSubManager();
        for (Map.Entry<String, NDArray> e : store.parameters().entrySet()) {
            NDArray m = manager.zeros(e.getValue().getShape());
            m.setName("exp_avg." + e.getKey());
            NDArray v = manager.zeros(e.getValue().getShape());
            v.setName("exp_avg_sq." + e.getKey());
            expAvg.put(e.getKey(), m);
            expAvgSq.put(e.getKey(), v);
        }
    }

    /** An optimizer with the hyper-parameters of {@code options}. */
    public static AdamW of(ParameterStore store, TrainingOptions options) {
        return new AdamW(store, options.beta1(), options.beta2(), options.eps(), options.weightDecay());
    }

    /**
     * The gradients of all parameters, by name, zeros for a parameter without one. Call while the parameters are
     * attached to a step's manager: the arrays belong to it.
     */
    public Map<String, NDArray> gradients(NDManager step) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : store.parameters().entrySet()) {
            NDArray g = Torch.gradient(e.getValue());
            if (g == null) {
                g = step.zeros(e.getValue().getShape());
            } else {
                g.attach(step);
            }
            out.put(e.getKey(), g);
        }
        return out;
    }

    /**
     * Applies one update with learning rate {@code lr} to every parameter, the gradients multiplied by
     * {@code gradScale} (the clipping factor). Runs without autograd; temporaries belong to the gradients'
     * manager, so the moments and parameters must be attached to it ({@link #stateArrays()}).
     */
    public void step(Map<String, NDArray> gradients, double lr, double gradScale) {
        long t = stepCount + 1;
        float biasCorrection1 = (float) (1 - Math.pow(beta1, t));
        float sqrtBiasCorrection2 = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = (float) (lr / biasCorrection1);
        float decay = (float) (1 - lr * weightDecay);
        try (NoGrad g = NoGrad.enter()) {
            for (Map.Entry<String, NDArray> e : store.parameters().entrySet()) {
                String name = e.getKey();
                NDArray p = e.getValue();
                NDArray grad = gradients.get(name);
                if (grad == null) {
                    throw new IllegalArgumentException("no gradient given for parameter " + name);
                }
                NDArray m = expAvg.get(name);
                NDArray v = expAvgSq.get(name);
                if (m.getManager() != grad.getManager() || p.getManager() != grad.getManager()) {
                    throw new IllegalStateException("attach parameter " + name + " and its moments to the manager of"
                            + " the gradients first (NDManager.tempAttachAll), or temporaries would outlive the step");
                }
                if (gradScale != 1) {
                    grad = grad.mul((float) gradScale);
                }
                if (weightDecay > 0 && store.decays(name)) {
                    p.muli(decay);
                }
                m.muli((float) beta1).addi(grad.mul((float) (1 - beta1)));
                v.muli((float) beta2).addi(grad.square().muli((float) (1 - beta2)));
                NDArray denominator = v.sqrt().divi(sqrtBiasCorrection2).addi((float) eps);
                p.subi(m.div(denominator).muli(stepSize));
            }
        }
        stepCount = t;
    }

    /** Zeroes every parameter's gradient in place, so that the next backward does not accumulate into it. */
    public void zeroGradients() {
        for (NDArray p : store.parameters().values()) {
            Torch.zeroGradient(p);
        }
    }

    /** Number of updates applied ({@code t} of the bias correction). */
    public long stepCount() {
        return stepCount;
    }

    /** First moments by parameter name (unmodifiable). */
    public Map<String, NDArray> firstMoments() {
        return Collections.unmodifiableMap(expAvg);
    }

    /** Second moments by parameter name (unmodifiable). */
    public Map<String, NDArray> secondMoments() {
        return Collections.unmodifiableMap(expAvgSq);
    }

    /** The optimizer's arrays, to attach to a step's manager with the store's. */
    public List<NDArray> stateArrays() {
        List<NDArray> out = new ArrayList<>(expAvg.values());
        out.addAll(expAvgSq.values());
        return out;
    }

    /** Restores the state of a saved run: the moments of {@code name} and (separately) the update count. */
    public void restore(String name, float[] firstMoment, float[] secondMoment) {
        NDArray m = expAvg.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        if (firstMoment.length != m.size() || secondMoment.length != m.size()) {
            throw new IllegalArgumentException("the moments of " + name + " need " + m.size() + " values, got "
                    + firstMoment.length + " and " + secondMoment.length);
        }
        Torch.copyInto(m, firstMoment);
        Torch.copyInto(expAvgSq.get(name), secondMoment);
    }

    /** Sets the number of updates already applied (for the bias correction of a resumed run). */
    public void restoreStepCount(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative step count " + count);
        }
        this.stepCount = count;
    }

    /** Frees the moments. */
    @Override
    public void close() {
        manager.close();
    }
}
