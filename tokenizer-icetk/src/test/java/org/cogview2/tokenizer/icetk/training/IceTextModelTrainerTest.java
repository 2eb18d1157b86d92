package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.SpecialToken;
import org.cogview2.api.Tokenizer;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.PieceType;
import org.cogview2.tokenizer.icetk.text.SentencePieceProcessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Trains on a small bilingual corpus with the real spm_train and checks the file is icetk's layout and works. */
class IceTextModelTrainerTest {

    /** Small enough for the test corpus to fill exactly (the corpus supports a few hundred learned pieces). */
    static final int VOCABULARY = 450;

    @TempDir
    static Path dir;

    static BilingualCorpus corpus;
    static TrainingOptions options;
    static Path modelFile;
    static TrainedTextModel trained;
    static IceTextTokenizer tokenizer;

    @BeforeAll
    static void train() {
        // Not an assumption here: a class-level skip would hide the reason; each test is skipped with it instead.
        if (!IceTextModelTrainer.spmTrainAvailable()) {
            return;
        }
        corpus = new BilingualCorpus(240);
        options = TrainingOptions.defaults(VOCABULARY).withThreads(2).withExactVocabularySize(true);
        modelFile = dir.resolve("out/ice_text.model");
        trained = new IceTextModelTrainer(options).train(corpus.all(), modelFile);
        tokenizer = IceTextTokenizer.load(modelFile);
    }

    @BeforeEach
    void needsSpmTrain() {
        assumeTrue(trained != null, "spm_train not installed: apt-get install sentencepiece");
    }

    @Test
    void special_pieces_are_at_icetks_ids() {
        SentencePieceProcessor sp = tokenizer.processor();
        String[] names = {"<unk>", "<s>", "</s>", "<pad>", "<n>"};
        PieceType[] types = {PieceType.UNKNOWN, PieceType.CONTROL, PieceType.CONTROL, PieceType.CONTROL, PieceType.USER_DEFINED};
        for (int id = 0; id < names.length; id++) {
            assertEquals(names[id], sp.idToPiece(id), "piece " + id);
            assertEquals(types[id], sp.type(id), "type of piece " + id);
        }
        assertEquals("<unk>", tokenizer.tokenName(20000));
        assertEquals("<pad>", tokenizer.tokenName(20003));
        assertEquals(PieceType.NORMAL, sp.type(5), "learned pieces follow <n>");
        int n = trained.pieces();
        assertEquals(VOCABULARY, n);
        for (int id = 5; id < n; id++) {
            assertEquals(id >= n - 256 ? PieceType.BYTE : PieceType.NORMAL, sp.type(id), "piece " + id);
        }
        assertEquals("<0x00>", sp.idToPiece(n - 256));
        assertEquals("<0xFF>", sp.idToPiece(n - 1));
    }

    @Test
    void start_of_image_is_one_piece_after_the_file_pieces() {
        int n = trained.pieces();
        assertEquals(Tokenizer.IMAGE_TOKENS + n, tokenizer.specialTokenId(SpecialToken.START_OF_IMAGE));
        assertEquals(Tokenizer.IMAGE_TOKENS + n + 1, tokenizer.specialTokenId(SpecialToken.START_OF_ENGLISH));
        assertEquals(Tokenizer.IMAGE_TOKENS + n + 2, tokenizer.specialTokenId(SpecialToken.START_OF_CHINESE));
        int[] ids = tokenizer.encode("一个可爱的猫在雪地里 高清摄影<start_of_image>");
        assertEquals(Tokenizer.IMAGE_TOKENS + n, ids[ids.length - 1]);
        assertEquals("<start_of_image>", tokenizer.tokenize("a cat<start_of_image>").getLast());
        // Alone it still gets SentencePiece's dummy-prefix piece in front, as in icetk.
        assertEquals(List.of("\u2581", "<start_of_image>"), tokenizer.tokenize("<start_of_image>"));
    }

    @Test
    void english_and_chinese_captions_round_trip() {
        for (String caption : List.of("a small cat in the snow", "an ancient dragon by the river", "一个可爱的龙在森林中",
                "a cute robot 在城市里", "two  dogs\non the beach")) {
            String back = tokenizer.decode(tokenizer.encode(caption));
            assertEquals(caption.replace("\n", " ").replace("  ", " "), back, caption);
        }
        TokenizerReport report = TokenizerReport.measure(tokenizer, corpus.english, corpus.chinese, corpus.all());
        assertTrue(report.everySentenceRoundTrips(), report.summary());
    }

    @Test
    void byte_fallback_encodes_emoji_and_rare_characters() {
        SentencePieceProcessor sp = tokenizer.processor();
        for (String text : List.of("a cat 🐱", "龘", "ꙮ and 𝄞")) {
            int[] ids = tokenizer.encode(text);
            assertTrue(Arrays.stream(ids).map(i -> i - Tokenizer.IMAGE_TOKENS).anyMatch(i -> sp.type(i) == PieceType.BYTE), text);
            assertTrue(Arrays.stream(ids).noneMatch(i -> i == Tokenizer.IMAGE_TOKENS + sp.unkId()), text);
            assertEquals(text, tokenizer.decode(ids), text);
        }
        assertEquals(List.of("▁", "<0xF0>", "<0x9F>", "<0x90>", "<0xB1>"), tokenizer.tokenize("🐱"));
    }

    @Test
    void the_report_covers_both_languages() {
        TokenizerReport report = TokenizerReport.measure(tokenizer, corpus.english, corpus.chinese, corpus.all());
        System.out.println(report.summary());
        assertEquals(VOCABULARY, report.vocabularySize());
        assertEquals(corpus.english.size(), report.english().captions());
        assertEquals(corpus.chinese.size(), report.chinese().captions());
        assertTrue(report.english().mean() > 1 && report.english().max() >= report.english().mean());
        assertTrue(report.chinese().mean() > 1 && report.chinese().max() >= report.chinese().mean());
        assertEquals(0.0, report.unknownRate());
        assertEquals(corpus.all().size(), report.sentences());
    }

    @Test
    void training_twice_gives_the_same_bytes(@TempDir Path other) throws IOException {
        Path again = other.resolve("ice_text.model");
        new IceTextModelTrainer(options).train(corpus.all(), again);
        assertEquals(-1, Files.mismatch(modelFile, again), "the second training wrote a different file");
        assertArrayEquals(Files.readAllBytes(modelFile), trained.bytes());
    }

    @Test
    void the_file_records_no_path_of_the_training_machine() throws IOException {
        String text = new String(Files.readAllBytes(modelFile), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(SpmTrain.CORPUS));
        assertTrue(!text.contains(dir.toString()) && !text.contains(System.getProperty("java.io.tmpdir") + "/ice-text"));
    }

    @Test
    void spm_encode_reads_the_file_and_segments_as_we_do(@TempDir Path work) throws Exception {
        assumeTrue(IceTextModelTrainer.spmTrainAvailable("spm_encode"), "spm_encode not installed: apt-get install sentencepiece");
        List<String> lines = new ArrayList<>(corpus.english.subList(0, 40));
        lines.addAll(corpus.chinese.subList(0, 40));
        lines.addAll(List.of("a cat 🐱", "龘 and ꙮ", "ｆｕｌｌ－ｗｉｄｔｈ！", "<n> between"));
        Path input = work.resolve("in.txt");
        Path output = work.resolve("out.txt");
        Files.write(input, lines, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("spm_encode", "--model=" + modelFile, "--output_format=id", "--input=" + input,
                "--output=" + output).redirectErrorStream(true).redirectOutput(work.resolve("log.txt").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(work.resolve("log.txt")));
        List<String> got = Files.readAllLines(output, StandardCharsets.UTF_8);
        SentencePieceProcessor plain = SentencePieceProcessor.load(modelFile, ModelProto.parse(modelFile, Files.readAllBytes(modelFile)));
        for (int i = 0; i < lines.size(); i++) {
            int[] want = got.get(i).isBlank() ? new int[0]
                    : Arrays.stream(got.get(i).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(want, plain.encodeAsIds(lines.get(i)), lines.get(i));
        }
    }

    @Test
    void a_size_the_corpus_cannot_fill_fails_with_spm_trains_reason() {
        TrainingOptions tooBig = options.withVocabularySize(20_000);
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(tooBig).train(corpus.all()));
        assertTrue(e.getMessage().contains("exit code") && e.getMessage().contains("Vocabulary size"), e.getMessage());
    }

    @Test
    void a_soft_size_gives_what_the_corpus_supports() {
        TrainedTextModel m = new IceTextModelTrainer(options.withVocabularySize(20_000).withExactVocabularySize(false))
                .train(corpus.all());
        assertTrue(m.pieces() > VOCABULARY && m.pieces() < 20_000, "pieces: " + m.pieces());
        assertEquals(PieceType.BYTE, m.tokenizer().processor().type(m.pieces() - 1));
    }
}
