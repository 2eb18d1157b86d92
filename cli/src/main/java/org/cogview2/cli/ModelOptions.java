package org.cogview2.cli;

import org.cogview2.api.CogView2;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.PipelineConfig;
import org.cogview2.api.StageResidency;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Where the models are and which backend runs them; shared by the commands that load models. */
final class ModelOptions {

    @Option(names = "--models", paramLabel = "DIR",
            description = "Folder laid out like the official SAT_HOME (coglm, cogview2-dsr, cogview2-itersr) with icetk's "
                    + "ice_text.model and ice_image.pt (in it or in DIR/icetk) and cluster_label.npy. "
                    + "Default: the environment variable SAT_HOME if set, else the built-in emoji demo models.")
    Path models;

    @Option(names = "--backend", paramLabel = "NAME", description = "Compute backend (see 'cogview2 backends'). Default: the best available.")
    String backend;

    @Option(names = "--cluster-table", paramLabel = "FILE", description = "cluster_label.npy to use instead of the one next to the models.")
    Path clusterTable;

    @Option(names = "--residency", paramLabel = "POLICY", defaultValue = "ALL_STAGES",
            description = "When the stages' weights are in memory: ALL_STAGES (loaded once, default) or ONE_STAGE "
                    + "(each stage loaded when reached, the previous one released first: one model's weights at a time).")
    StageResidency residency;

    PipelineConfig config() {
        Path folder = models;
        if (folder == null && System.getenv("SAT_HOME") != null && !System.getenv("SAT_HOME").isBlank()) {
            folder = Path.of(System.getenv("SAT_HOME"));
        }
        return new PipelineConfig(folder, backend, clusterTable, residency);
    }

    CogView2Pipeline open(PrintWriter err) {
        CogView2Pipeline pipeline = CogView2.open(config());
        if (pipeline.info().demoWeights()) {
            err.println("note: using " + pipeline.info().models() + ": small models trained on about 1,900 emoji ("
                    + "undertrained: emoji-like shapes on white, often in the prompt's colours, rarely the object asked for). Point"
                    + " --models (or SAT_HOME) at the official CogView2 release for anything else.");
        }
        return pipeline;
    }
}
