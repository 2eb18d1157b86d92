package org.cogview2.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the models are and what runs them.
 *
 * @param models       a folder laid out like the official {@code SAT_HOME} ({@code coglm}, {@code cogview2-dsr},
 *                     {@code cogview2-itersr}) plus icetk's files and {@code cluster_label.npy}; null for the built-in
 *                     demo model set (small models trained on emoji pictures)
 * @param backend      the backend's name, or null for the system property {@code cogview2.backend} or else the
 *                     available backend of highest priority
 * @param clusterTable the cluster table to use instead of the one found with the models, or null
 * @param residency    when the stages' weights are in memory ({@link StageResidency#ALL_STAGES} unless chosen)
 */
public record PipelineConfig(Path models, String backend, Path clusterTable, StageResidency residency) {

    public PipelineConfig {
        Objects.requireNonNull(residency, "residency");
    }

    /** All stages resident. */
    public PipelineConfig(Path models, String backend, Path clusterTable) {
        this(models, backend, clusterTable, StageResidency.ALL_STAGES);
    }

    /** The built-in demo models on the default backend. */
    public static PipelineConfig demo() {
        return new PipelineConfig(null, null, null);
    }

    /** Models from a folder on the default backend. */
    public static PipelineConfig models(Path folder) {
        return new PipelineConfig(folder, null, null);
    }

    public PipelineConfig withBackend(String name) {
        return new PipelineConfig(models, name, clusterTable, residency);
    }

    public PipelineConfig withClusterTable(Path file) {
        return new PipelineConfig(models, backend, file, residency);
    }

    public PipelineConfig withResidency(StageResidency policy) {
        return new PipelineConfig(models, backend, clusterTable, policy);
    }
}
