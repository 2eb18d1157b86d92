package org.cogview2.tokenizer.icetk.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainingCorpusTest {

    @Test
    void special_tokens_and_line_breaks_are_taken_out() {
        assertEquals("一只猫 高清摄影", TrainingCorpus.line("一只猫 高清摄影<start_of_image>"));
        assertEquals("a cat on a mat", TrainingCorpus.line("<start_of_english>a cat\r\non\na mat"));
        assertEquals("keep <n> and <unk>", TrainingCorpus.line("keep <n> and <unk>"));
        assertEquals("", TrainingCorpus.line(" <start_of_chinese> \n"));
    }

    @Test
    void one_line_per_sentence_in_order_blank_ones_dropped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("corpus.txt");
        assertEquals(2, TrainingCorpus.write(List.of("b second", "  ", "a first"), file));
        assertEquals("b second\na first\n", Files.readString(file, StandardCharsets.UTF_8));
    }
}
