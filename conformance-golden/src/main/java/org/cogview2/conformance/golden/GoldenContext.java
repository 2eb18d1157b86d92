package org.cogview2.conformance.golden;

import org.cogview2.spi.Backend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What golden cases share during one run: the backend under test and the models loaded so far (several cases use
 * the same model; it is loaded once and released at the end of the run).
 */
public final class GoldenContext implements AutoCloseable {

    private final Backend backend;
    private final Map<String, Object> models = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    public GoldenContext(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** The model stored under {@code key}, loading it the first time. */
    @SuppressWarnings("unchecked")
    public synchronized <T> T model(String key, Supplier<T> loader) {
        Object m = models.get(key);
        if (m == null) {
            m = loader.get();
            models.put(key, m);
            if (m instanceof AutoCloseable c) {
                closeables.add(c);
            }
        }
        return (T) m;
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // Closing is best-effort at the end of a run; a failure here must not hide the results.
            }
        }
        closeables.clear();
        models.clear();
    }
}
