package org.cogview2.training.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine the way training needs it: offline (the native library comes from the
 * {@code pytorch-native-cpu} jar, nothing is downloaded), with a fixed number of intra-op threads and one
 * inter-op thread.
 *
 * <p>DJL reads {@code ai.djl.pytorch.num_threads} and {@code ai.djl.pytorch.num_interop_threads} once, when the
 * engine starts, so {@link #configure} must run before the first NDArray exists; callers that build a task
 * (whose constructor creates its parameters) should get their manager from {@link #newManager(int)}. The
 * intra-op count can still be changed later ({@link #applyThreads}), the inter-op count cannot. The same thread
 * count gives the same losses run after run; a different count may change reductions in the last bits.
 */
public final class TrainingRuntime {

    /** DJL's name of the engine. */
    public static final String ENGINE = "PyTorch";

    private static final String OFFLINE = "ai.djl.offline";
    private static final String THREADS = "ai.djl.pytorch.num_threads";
    private static final String INTEROP = "ai.djl.pytorch.num_interop_threads";

    private TrainingRuntime() {
    }

    /**
     * Sets DJL's start-up properties where the user has not: offline, {@code threads} intra-op threads (0: the
     * property if set, else the available processors), one inter-op thread; and {@code java.awt.headless} for the
     * charts. An explicit {@code threads > 0} wins over the property.
     */
    public static synchronized void configure(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0: default), got " + threads);
        }
        setIfAbsent(OFFLINE, "true");
        setIfAbsent("java.awt.headless", "true");
        if (threads > 0) {
            System.setProperty(THREADS, Integer.toString(threads));
        } else {
            setIfAbsent(THREADS, Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        setIfAbsent(INTEROP, "1");
    }

    /** The PyTorch engine, configured with the defaults of {@link #configure} if nothing was configured yet. */
    public static Engine engine() {
        if (System.getProperty(THREADS) == null) {
            configure(0);
        }
        return Engine.getEngine(ENGINE);
    }

    /** A new base manager of the PyTorch engine, configured for {@code threads} threads (0: default). */
    public static NDManager newManager(int threads) {
        configure(threads);
        return engine().newBaseManager();
    }

    /**
     * Makes libtorch use {@code threads} intra-op threads from now on (0: leaves the count as it is), also when
     * the engine started earlier with another count.
     */
    public static void applyThreads(int threads) {
        engine();
        if (threads > 0 && JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    /** libtorch's current intra-op thread count. */
    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
