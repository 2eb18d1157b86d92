package org.cogview2.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user sees it: output, files, exit codes and one-sentence errors. */
class CommandLineTest {

    @TempDir
    static Path dir;

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = CogView2Command.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    /** The tiny random-weight model set (tests and benchmarks only). */
    static String randomModels() {
        return org.cogview2.models.demo.DemoModels.ensure().toString();
    }

    @BeforeAll
    static void demoModelsInTemp() {
        System.setProperty("cogview2.demo.dir", dir.resolve("demo").toString());
        System.setProperty("cogview2.demoset.dir", dir.resolve("emoji-demo").toString());
    }

    @Test
    void backends_lists_the_reference_backend_as_available() {
        Run r = run("backends");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("cpu-reference") && r.out().contains("available"), r.out());
    }

    @Test
    void generate_writes_a_480_pixel_png_with_metadata_and_timings() throws Exception {
        Path out = dir.resolve("tiger.png");
        Run r = run("generate", "a tiger", "-o", out.toString(), "--first-stage-only", "--no-progress", "--seed", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("emoji demo models") && r.err().contains("official CogView2 release"),
                "the demo set is announced: " + r.err());
        assertTrue(r.out().contains("timing: stage 1: CogLM"), r.out());
        BufferedImage picture = ImageIO.read(out.toFile());
        assertEquals(480, picture.getWidth());
        assertEquals(480, picture.getHeight());
        assertTrue(Files.isRegularFile(dir.resolve("tiger-0.png")));
        String text = metadata(out);
        assertTrue(text.contains("Prompt") && text.contains("a tiger") && text.contains("Seed") && text.contains("cpu-reference"), text);
    }

    @Test
    void complete_redraws_a_box_of_a_png() throws Exception {
        BufferedImage source = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                source.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | 128);
            }
        }
        Path in = dir.resolve("garden.png");
        ImageIO.write(source, "png", in.toFile());
        Path out = dir.resolve("completed.png");
        // The random-weight set: every stage runs, in seconds on the reference backend.
        Run r = run("complete", "a red flower", "--image", in.toString(), "--box", "0.4,0.4,0.55,0.55",
                "--batch", "1", "-o", out.toString(), "--no-progress", "--models", randomModels());
        assertEquals(0, r.status(), r.err());
        BufferedImage picture = ImageIO.read(dir.resolve("completed-0.png").toFile());
        assertEquals(480, picture.getWidth());
        assertEquals(480, picture.getHeight());
        assertTrue(metadata(out).contains("Box=0.4,0.4,0.55,0.55"), metadata(out));

        Run badBox = run("complete", "a red flower", "--image", in.toString(), "--box", "0.5,0.5,0.2,0.9", "--no-progress");
        assertEquals(1, badBox.status());
        assertTrue(badBox.err().contains("0 <= h0 < h1 <= 1"), badBox.err());
    }

    @Test
    void errors_are_one_sentence_without_a_stack_trace_and_exit_non_zero() {
        Run unknownStyle = run("generate", "a tiger", "--style", "cubist", "--no-progress");
        assertEquals(1, unknownStyle.status());
        assertTrue(unknownStyle.err().startsWith("error: unknown style 'cubist'; choose one of none, mainbody"), unknownStyle.err());
        assertFalse(unknownStyle.err().contains("\tat "), unknownStyle.err());

        Run missingModels = run("generate", "a tiger", "--models", dir.resolve("nowhere").toString(), "--no-progress");
        assertEquals(1, missingModels.status());
        assertTrue(missingModels.err().contains("nowhere"), "names the path looked at: " + missingModels.err());

        Run tooLong = run("generate", "tiger ".repeat(200), "--no-progress");
        assertEquals(1, tooLong.status());
        assertTrue(tooLong.err().contains("ids long but at most 110"), tooLong.err());

        Run verbose = run("generate", "a tiger", "--style", "cubist", "--verbose");
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace");
    }

    @Test
    void goldens_prints_a_line_per_case_and_the_closing_count() {
        java.util.Optional<Path> golden = org.cogview2.conformance.GoldenData.locate();
        org.junit.jupiter.api.Assumptions.assumeTrue(golden.isPresent(), "golden data not found");
        Run r = run("goldens", golden.get().toString(), "--case", "attention");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("local_attention_kernel") && r.out().contains("PASS"), r.out());
        assertTrue(r.out().strip().endsWith("2 passed, 0 failed"), r.out());
    }

    @Test
    void certify_writes_the_report_for_the_reference_backend() {
        Path report = dir.resolve("report");
        Run r = run("certify", "--backend", "cpu-reference", "--report", report.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.isRegularFile(report.resolve(org.cogview2.conformance.CertificationReport.JSON_FILE)));
        assertTrue(Files.isRegularFile(report.resolve(org.cogview2.conformance.CertificationReport.TEXT_FILE)));
    }

    @Test
    void certify_runs_one_rule_alone_and_reports_rules_marked_not_verified() throws Exception {
        Path report = dir.resolve("one-rule");
        Run r = run("certify", "--backend", "cpu-reference", "--report", report.toString(),
                "--rule", "required_linear_is_fp32_dot_product_plus_bias", "--rule", "add_is_an_exact_fp32_sum",
                "--not-verified", "required_add_is_an_exact_fp32_sum=fused with the next kernel");
        assertEquals(0, r.status(), "PARTIAL is not a failure: " + r.err());
        String summary = Files.readString(report.resolve(org.cogview2.conformance.CertificationReport.TEXT_FILE));
        assertTrue(summary.contains("Verdict: PARTIAL"), summary);
        assertTrue(summary.contains("not verified by the vendor: fused with the next kernel"), summary);
        assertTrue(summary.contains("required rules: 1 passed, 0 failed, 1 skipped"), summary);
        Run unknown = run("certify", "--backend", "cpu-reference", "--rule", "required_linear_is_a_dot");
        assertTrue(unknown.status() != 0, "an unknown rule is an error");
        assertTrue(unknown.err().contains("no rule required_linear_is_a_dot")
                && unknown.err().contains("required_linear_is_fp32_dot_product_plus_bias"), unknown.err());
    }

    @Test
    void generate_can_keep_one_stage_resident_at_a_time() {
        Path out = dir.resolve("one-stage.png");
        Run r = run("generate", "a tiger", "-o", out.toString(), "--first-stage-only", "--no-progress", "--seed", "3",
                "--residency", "ONE_STAGE");
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.isRegularFile(out));
        Run bad = run("generate", "a tiger", "--residency", "SOME");
        assertEquals(2, bad.status(), "a usage error: " + bad.err());
        assertTrue(bad.err().contains("ALL_STAGES") && bad.err().contains("ONE_STAGE"), bad.err());
    }

    @Test
    void bench_json_prints_one_object_per_measurement_with_the_ratio_of_the_same_run() throws Exception {
        Run r = run("bench", "--json", "--only", "gemm-fp16w-decode", "--backend", "cpu-reference", "--baseline", "cpu-reference");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length, r.out());
        com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[0]);
        assertEquals("gemm-fp16w-decode", line.get("name").asText());
        assertTrue(line.get("unit").asText().startsWith("GFLOP/s (higher is better"), line.toString());
        assertEquals("cpu-reference", line.get("baseline_name").asText());
        double ours = line.get("ours").asDouble();
        double baseline = line.get("baseline").asDouble();
        assertTrue(ours > 0 && baseline > 0, line.toString());
        assertEquals(ours / baseline, line.get("ratio").asDouble(), 1e-9 * ours / baseline);
    }

    @Test
    void bench_rejects_an_unknown_measurement_with_the_list() {
        Run r = run("bench", "--only", "gemm-42");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("unknown benchmark 'gemm-42'") && r.err().contains("coglm-stage1"), r.err());
    }

    @Test
    void tokenize_round_trips_text() {
        Run ids = run("tokenize", "a tiger");
        assertEquals(0, ids.status(), ids.err());
        String[] parts = ids.out().strip().split(" ");
        String[] args = new String[parts.length + 2];
        args[0] = "tokenize";
        args[1] = "--decode";
        System.arraycopy(parts, 0, args, 2, parts.length);
        Run text = run(args);
        assertEquals("a tiger", text.out().strip());
    }

    private static String metadata(Path png) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadata meta = reader.getImageMetadata(0);
            StringBuilder b = new StringBuilder();
            collect(meta.getAsTree("javax_imageio_png_1.0"), b);
            return b.toString();
        }
    }

    private static void collect(org.w3c.dom.Node node, StringBuilder b) {
        if (node instanceof javax.imageio.metadata.IIOMetadataNode n && "tEXtEntry".equals(n.getNodeName())) {
            b.append(n.getAttribute("keyword")).append('=').append(n.getAttribute("value")).append('\n');
        }
        for (org.w3c.dom.Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            collect(c, b);
        }
    }
}
