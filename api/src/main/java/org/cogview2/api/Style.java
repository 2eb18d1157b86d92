package org.cogview2.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The ten styles of the official text-to-image script ({@code get_recipe}): a query template around the prompt and
 * the sampling recipe that goes with it (spec 02 §1.2). Only the recipe values the official code actually uses are
 * kept: stage-1 temperature, cluster count and second temperature; DSR cluster count and second temperature; the
 * text attention bias. ({@code temp_all_dsr}, {@code temp_all_itersr} and {@code topk_itersr} have no effect there.)
 */
public enum Style {
    NONE("{}<start_of_image>", 1.15f, 100, 0.89f),
    MAINBODY("{} 高清摄影 隔绝<start_of_image>", 1.15f, 100, 0.89f),
    PHOTO("{} 高清摄影<start_of_image>", 1.15f, 100, 0.89f),
    FLAT("{} 平面风格<start_of_image>", 1.1f, 5, 0.4f),
    COMICS("{} 漫画 隔绝<start_of_image>", 1.1f, 5, 0.4f),
    OIL("{} 油画风格<start_of_image>", 1.15f, 100, 0.89f),
    SKETCH("{} 素描风格<start_of_image>", 1.1f, 100, 0.89f),
    ISOMETRIC("{} 等距矢量图<start_of_image>", 1.1f, 100, 0.89f),
    CHINESE("{} 水墨国画<start_of_image>", 1.12f, 100, 0.89f),
    WATERCOLOR("{} 水彩画风格<start_of_image>", 1.15f, 100, 0.89f);

    /** Stage-1 cluster count of every recipe. */
    public static final int STAGE1_TOP_CLUSTERS = 16;
    /** Stage-1 second temperature of every recipe. */
    public static final float STAGE1_CLUSTER_TEMPERATURE = 1.0f;

    private final String template;
    private final float stage1Temperature;
    private final int dsrTopClusters;
    private final float dsrClusterTemperature;

    Style(String template, float stage1Temperature, int dsrTopClusters, float dsrClusterTemperature) {
        this.template = template;
        this.stage1Temperature = stage1Temperature;
        this.dsrTopClusters = dsrTopClusters;
        this.dsrClusterTemperature = dsrClusterTemperature;
    }

    /** The query template; {@code {}} stands for the prompt. */
    public String template() {
        return template;
    }

    /** The text CogLM is given: the template with the prompt in place. */
    public String apply(String prompt) {
        return template.replace("{}", prompt);
    }

    /** Stage-1 sampling of this recipe. */
    public CoglmSampling stage1Sampling() {
        return CoglmSampling.clusters(stage1Temperature, STAGE1_TOP_CLUSTERS, STAGE1_CLUSTER_TEMPERATURE);
    }

    /** Direct super-resolution sampling of this recipe. */
    public DsrSampling dsrSampling() {
        return DsrSampling.clusters(dsrTopClusters, dsrClusterTemperature);
    }

    /** The lower-case name used on the command line, e.g. {@code mainbody}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The style of a name (case-insensitive). */
    public static Style byName(String name) {
        for (Style s : values()) {
            if (s.id().equalsIgnoreCase(name.strip())) {
                return s;
            }
        }
        throw new InvalidInputException("unknown style '" + name + "'; choose one of "
                + Arrays.stream(values()).map(Style::id).collect(Collectors.joining(", ")));
    }
}
