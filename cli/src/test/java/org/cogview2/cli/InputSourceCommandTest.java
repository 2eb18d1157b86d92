package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import org.cogview2.cli.input.CompletionLine;
import org.cogview2.cli.input.InputLine;
import org.cogview2.cli.input.InputSource;
import org.cogview2.cli.input.OutputNames;
import org.cogview2.cli.input.PromptLine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.cogview2.cli.CommandLineTest.Run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.cogview2.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --input-source} and {@code --with-id}: the official scripts' batch inputs, on models loaded once. */
class InputSourceCommandTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void demoModelsInTemp() {
        System.setProperty("cogview2.demo.dir", dir.resolve("demo").toString());
        System.setProperty("cogview2.demoset.dir", dir.resolve("emoji-demo").toString());
    }

    private static Path lines(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    // ------------------------------------------------------------------ parsing

    @Test
    void lines_are_stripped_blank_ones_skipped_and_numbered_as_in_the_file() throws Exception {
        Path f = lines("numbers.txt", "\uFEFF  first ", "", "   ", "\tsecond\t");
        List<InputLine> read = new ArrayList<>();
        try (InputSource s = InputSource.open(f.toString(), InputStream.nullInputStream())) {
            s.forEach(read::add);
        }
        assertEquals(List.of(new InputLine(1, "first"), new InputLine(4, "second")), read);
        try (InputSource s = InputSource.open("-", new ByteArrayInputStream("a\n\nb".getBytes(StandardCharsets.UTF_8)))) {
            List<InputLine> typed = new ArrayList<>();
            s.forEach(typed::add);
            assertEquals(List.of(new InputLine(1, "a"), new InputLine(3, "b")), typed);
            assertTrue(s.interactive());
        }
        assertThrows(InvalidInputException.class, () -> InputSource.open(dir.resolve("none.txt").toString(), null));
    }

    @Test
    void prompt_and_completion_lines_follow_the_official_formats() {
        assertEquals(new PromptLine(null, "0\ta tiger"), PromptLine.parse("0\ta tiger", false));
        assertEquals(new PromptLine("0", "a tiger"), PromptLine.parse("0\ta tiger", true));
        assertThrows(InvalidInputException.class, () -> PromptLine.parse("a tiger", true));
        assertThrows(InvalidInputException.class, () -> PromptLine.parse("0\ta\tb", true));
        assertThrows(InvalidInputException.class, () -> PromptLine.parse("..\ta tiger", true));
        assertThrows(InvalidInputException.class, () -> PromptLine.parse("a/b\ta tiger", true));
        CompletionLine c = CompletionLine.parse("抱着猫的女孩\tassets/cute_girl.jpg\t0.4\t0.2\t1\t0.9", false, null);
        assertEquals("抱着猫的女孩", c.prompt());
        assertEquals(Path.of("assets/cute_girl.jpg"), c.image());
        assertEquals(0.4, c.box().h0());
        assertEquals(0.2, c.box().w0());
        assertEquals(1.0, c.box().h1());
        assertEquals(0.9, c.box().w1());
        assertEquals("7", CompletionLine.parse("7\tcat\tx.png\t0\t0\t0.5\t0.5", true, null).id());
        assertThrows(InvalidInputException.class, () -> CompletionLine.parse("cat\tx.png\t0\t0\t0.5", false, null));
        assertThrows(InvalidInputException.class, () -> CompletionLine.parse("cat\tx.png\t0\t0\t0.5\tz", false, null));
    }

    @Test
    void output_names_use_the_id_folder_or_the_line_number_and_prompt_prefix() {
        Path out = Path.of("samples");
        InputLine line = new InputLine(12, "ignored");
        assertEquals(out.resolve("0").resolve("concat.png"), OutputNames.grid(out, line, "0", "a tiger"));
        assertEquals(out.resolve("0").resolve("3.png"), OutputNames.sample(out.resolve("0").resolve("concat.png"), "0", 3));
        Path grid = OutputNames.grid(out, line, null, "a/very:long prompt about tigers");
        assertEquals(out.resolve("12-averylong prompt abo.png"), grid);
        assertEquals(out.resolve("12-averylong prompt abo-1.png"), OutputNames.sample(grid, null, 1));
    }

    // ------------------------------------------------------------------ commands

    @Test
    void help_documents_the_input_source_and_with_id() {
        picocli.CommandLine cli = new picocli.CommandLine(new CogView2Command());
        for (String command : List.of("generate", "complete")) {
            String usage = cli.getSubcommands().get(command).getUsageMessage();
            assertTrue(usage.contains("--input-source=FILE") && usage.contains("--with-id")
                    && usage.contains("interactive") && usage.contains("exit status is 1 if any line failed"), usage);
        }
    }

    @Test
    void generate_runs_every_line_on_one_model_load_and_reports_a_bad_line_by_number() throws Exception {
        Path input = lines("prompts.txt", "a tiger", "", "tiger ".repeat(200), "a cat");
        Path out = dir.resolve("batch");
        Run r = run("generate", "--input-source", input.toString(), "-o", out.toString(), "--first-stage-only",
                "--no-progress");
        assertEquals(1, r.status(), "a line failed: " + r.err());
        assertTrue(r.err().contains("line 3: ") && r.err().contains("at most 110"), r.err());
        assertTrue(r.err().contains("2 line(s) done, 1 failed"), r.err());
        assertEquals(1, r.err().split("emoji demo models", -1).length - 1, "the models are loaded once: " + r.err());
        assertEquals(480, ImageIO.read(out.resolve("1-a tiger.png").toFile()).getWidth());
        assertTrue(Files.isRegularFile(out.resolve("1-a tiger-0.png")));
        assertTrue(Files.isRegularFile(out.resolve("4-a cat.png")));
    }

    @Test
    void with_id_each_line_writes_into_the_folder_of_its_id() throws Exception {
        Path input = lines("ids.txt", "0\ta tiger wearing VR glasses", "no id here", "cat\ta cat");
        Path out = dir.resolve("ids");
        Run r = run("generate", "--input-source", input.toString(), "--with-id", "-o", out.toString(),
                "--first-stage-only", "--no-progress", "--batch", "2");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("line 2: with --with-id a line is id<TAB>prompt"), r.err());
        for (String id : List.of("0", "cat")) {
            assertTrue(Files.isRegularFile(out.resolve(id).resolve("concat.png")), id);
            assertTrue(Files.isRegularFile(out.resolve(id).resolve("0.png")), id);
            assertTrue(Files.isRegularFile(out.resolve(id).resolve("1.png")), id);
        }
    }

    @Test
    void a_dash_reads_prompts_from_standard_input_until_end_of_file() {
        InputStream stdin = System.in;
        Path out = dir.resolve("stdin");
        try {
            System.setIn(new ByteArrayInputStream("a tiger\n\na cat".getBytes(StandardCharsets.UTF_8)));
            Run r = run("generate", "--input-source", "-", "-o", out.toString(), "--first-stage-only", "--no-progress");
            assertEquals(0, r.status(), r.err());
            assertTrue(Files.isRegularFile(out.resolve("1-a tiger.png")));
            assertTrue(Files.isRegularFile(out.resolve("3-a cat.png")));
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void prompt_and_input_source_exclude_each_other() {
        Run neither = run("generate", "--no-progress");
        assertEquals(2, neither.status());
        assertTrue(neither.err().contains("give either a PROMPT or --input-source, not neither"), neither.err());
        Run withId = run("generate", "a tiger", "--with-id");
        assertEquals(2, withId.status());
        assertTrue(withId.err().contains("--with-id applies to the lines of --input-source"), withId.err());
    }

    @Test
    void complete_reads_the_official_input_comp_lines() throws Exception {
        BufferedImage source = new BufferedImage(200, 160, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 160; y++) {
            for (int x = 0; x < 200; x++) {
                source.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | 64);
            }
        }
        Files.createDirectories(dir.resolve("comp"));
        ImageIO.write(source, "png", dir.resolve("comp").resolve("garden.png").toFile());
        Path input = dir.resolve("comp").resolve("input_comp.txt");
        Files.writeString(input, "a red flower\tgarden.png\t0.4\t0.4\t0.55\t0.55\n"
                + "a blue flower\tmissing.png\t0.4\t0.4\t0.55\t0.55\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("completed");
        Run r = run("complete", "--input-source", input.toString(), "-o", out.toString(), "--batch", "1", "--no-progress",
                "--models", CommandLineTest.randomModels());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("line 2: ") && r.err().contains("missing.png"), r.err());
        assertEquals(480, ImageIO.read(out.resolve("1-a red flower-0.png").toFile()).getWidth());
        assertFalse(Files.exists(out.resolve("2-a blue flower.png")));
    }
}
