package org.cogview2.training.core;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws the loss curve of a training log into a PNG with XChart: the loss per logged step with a smoothed line
 * (one pair of lines per objective for a task that alternates them, see {@link #byKind}), and, when the task evaluated, a second chart with one series per evaluation figure. Redrawn from the JSONL at
 * each checkpoint, so it covers resumed runs too.
 */
public final class LossChart {

    /** The chart's file name in the output folder. */
    public static final String FILE_NAME = "loss.png";

    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    /** More points than pixels only cost drawing time: long logs are averaged down to this many. */
    static final int MAX_POINTS = 1500;

    static {
        // XChart draws with Java2D; on a server there is no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private LossChart() {
    }

    /**
     * Draws and encodes a throw-away chart of the real size, into nothing: the time budget uses it to learn what
     * drawing costs (the first call in a JVM also loads XChart, Java2D and fonts, about a second).
     */
    static void rehearse() {
        List<TrainingLog.Entry> sample = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            sample.add(new TrainingLog.Entry(i, 1.0 / i, 0, 0, 0, 0, Map.of(), i % 10 == 0 ? Map.of("eval", 1.0 / i) : Map.of()));
        }
        try {
            encode(sample, "rehearsal", OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException | LinkageError | java.awt.AWTError e) {
            // the real drawing reports problems
        }
    }

    /**
     * Writes the chart of {@code entries} to {@code png} (replaced atomically); does nothing for no entries.
     *
     * @param title shown above the loss chart (the task's name)
     */
    public static void write(List<TrainingLog.Entry> entries, Path png, String title) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            encode(entries, title, out);
        }
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void encode(List<TrainingLog.Entry> entries, String title, OutputStream out) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        charts.add(lossChart(entries, title));
        XYChart eval = evalChart(entries);
        if (eval != null) {
            charts.add(eval);
        }
        if (charts.size() == 1) {
            BitmapEncoder.saveBitmap(charts.getFirst(), out, BitmapEncoder.BitmapFormat.PNG);
        } else {
            BitmapEncoder.saveBitmap(charts, charts.size(), 1, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static XYChart lossChart(List<TrainingLog.Entry> entries, String title) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title + ": training loss")
                .xAxisTitle("step").yAxisTitle("loss").build();
        Map<String, List<TrainingLog.Entry>> kinds = byKind(entries);
        boolean positive = true;
        boolean legend = kinds.size() > 1;
        for (Map.Entry<String, List<TrainingLog.Entry>> kind : kinds.entrySet()) {
            List<TrainingLog.Entry> list = kind.getValue();
            double[] steps = new double[list.size()];
            double[] loss = new double[list.size()];
            for (int i = 0; i < list.size(); i++) {
                steps[i] = list.get(i).step();
                loss[i] = finiteOr(list.get(i).loss(), i > 0 ? loss[i - 1] : 0);
            }
            double[][] points = downsample(steps, loss, MAX_POINTS);
            for (double v : points[1]) {
                positive &= v > 0;
            }
            String name = kind.getKey();
            line(chart.addSeries(name, points[0], points[1]));
            if (points[1].length >= 20) {
                line(chart.addSeries(name + " (smoothed)", points[0], smooth(points[1], Math.max(5, points[1].length / 50))));
                legend = true;
            }
        }
        // A log axis shows the slow late decrease; only possible when every value is positive.
        chart.getStyler().setYAxisLogarithmic(positive);
        chart.getStyler().setLegendVisible(legend);
        return chart;
    }

    /**
     * The logged steps by the kind of loss they report. A task that alternates objectives (CogLM: picture tokens
     * after a caption on most steps, the caption after a picture on some) logs each step's loss as one of its
     * metrics; one line through both would zig-zag between two scales, so each metric gets its own series. Anything
     * else is one series, {@code loss}.
     */
    static Map<String, List<TrainingLog.Entry>> byKind(List<TrainingLog.Entry> entries) {
        Map<String, List<TrainingLog.Entry>> kinds = new LinkedHashMap<>();
        for (TrainingLog.Entry e : entries) {
            String kind = e.metrics().entrySet().stream().filter(m -> m.getValue() == e.loss())
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (kind == null) {
                return Map.of("loss", entries);
            }
            kinds.computeIfAbsent(kind, k -> new ArrayList<>()).add(e);
        }
        return kinds.size() > 1 ? kinds : Map.of("loss", entries);
    }

    private static XYChart evalChart(List<TrainingLog.Entry> entries) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (TrainingLog.Entry e : entries) {
            e.eval().forEach((name, value) -> {
                if (Double.isFinite(value)) {
                    series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[]{e.step(), value});
                }
            });
        }
        if (series.isEmpty()) {
            return null;
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("evaluation")
                .xAxisTitle("step").yAxisTitle("value").build();
        series.forEach((name, points) -> {
            double[] x = new double[points.size()];
            double[] y = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                x[i] = points.get(i)[0];
                y[i] = points.get(i)[1];
            }
            double[][] p = downsample(x, y, MAX_POINTS);
            XYSeries s = chart.addSeries(name, p[0], p[1]);
            s.setMarker(p[0].length <= 100 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        });
        return chart;
    }

    private static void line(XYSeries s) {
        s.setMarker(SeriesMarkers.NONE);
    }

    /**
     * At most {@code max} points: consecutive points averaged in equal groups (x and y alike), or the input
     * itself when it is short enough.
     */
    static double[][] downsample(double[] x, double[] y, int max) {
        if (x.length <= max) {
            return new double[][]{x, y};
        }
        double[] dx = new double[max];
        double[] dy = new double[max];
        for (int b = 0; b < max; b++) {
            int from = (int) ((long) b * x.length / max);
            int to = (int) ((long) (b + 1) * x.length / max);
            double sx = 0;
            double sy = 0;
            for (int i = from; i < to; i++) {
                sx += x[i];
                sy += y[i];
            }
            dx[b] = sx / (to - from);
            dy[b] = sy / (to - from);
        }
        return new double[][]{dx, dy};
    }

    /** Centered moving average over {@code 2 * half + 1} points (fewer at the ends). */
    static double[] smooth(double[] v, int half) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int from = Math.max(0, i - half);
            int to = Math.min(v.length - 1, i + half);
            double sum = 0;
            for (int j = from; j <= to; j++) {
                sum += v[j];
            }
            out[i] = sum / (to - from + 1);
        }
        return out;
    }

    private static double finiteOr(double v, double fallback) {
        return Double.isFinite(v) ? v : fallback;
    }
}
