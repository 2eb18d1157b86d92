package org.cogview2.tokenizer.icetk.text;

import org.cogview2.tokenizer.icetk.IceTextTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Encoding speed on a large mixed Chinese/English text (generated deterministically, about 5 MB). Not a test: run
 * by hand, e.g. from the project root after {@code mvn -q -pl tokenizer-icetk -am test-compile}:
 * <pre>
 * java -cp "tokenizer-icetk/target/test-classes:tokenizer-icetk/target/classes:$(cat cp.txt)" \
 *     org.cogview2.tokenizer.icetk.text.TextEncodeBenchmark ../shared/golden/models/icetk/ice_text.model
 * </pre>
 * It prints ids per second and MB per second of the best of five passes, and the same for a pure-ASCII baseline
 * text of equal size measured in the same run.
 */
public final class TextEncodeBenchmark {

    private static final String[] ENGLISH = {"a", "tiger", "wearing", "VR", "glasses", "photo", "of", "the", "city",
            "at", "night", "software", "license", "permission", "granted", "free", "charge", "version", "debian"};
    private static final String[] CHINESE = {"一只", "可爱", "的", "小猫", "高清", "摄影", "城市", "夜晚", "用户", "命令",
            "文件", "目录", "显示", "帮助", "信息", "退出", "水墨", "国画"};

    private TextEncodeBenchmark() {
    }

    public static void main(String[] args) {
        IceTextTokenizer tokenizer = IceTextTokenizer.load(Path.of(args[0]));
        String mixed = text(new Random(1), 5_000_000, true);
        String ascii = text(new Random(2), 5_000_000, false);
        for (int warmup = 0; warmup < 2; warmup++) {
            tokenizer.encode(mixed.substring(0, 200_000));
        }
        double[] m = measure(tokenizer, mixed);
        double[] a = measure(tokenizer, ascii);
        System.out.printf(Locale.ROOT, "mixed Chinese/English: %.2f MB in %.3f s: %.0f ids/s, %.2f MB/s%n", m[0], m[1], m[2], m[3]);
        System.out.printf(Locale.ROOT, "English baseline:      %.2f MB in %.3f s: %.0f ids/s, %.2f MB/s%n", a[0], a[1], a[2], a[3]);
        System.out.printf(Locale.ROOT, "ratio mixed/English (ids/s): %.2f%n", m[2] / a[2]);
    }

    /** {MB, seconds, ids/s, MB/s} of the best of five passes over lines of the text. */
    private static double[] measure(IceTextTokenizer tokenizer, String text) {
        String[] lines = text.split("\n");
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        double best = Double.MAX_VALUE;
        long ids = 0;
        for (int pass = 0; pass < 5; pass++) {
            long start = System.nanoTime();
            long count = 0;
            for (String line : lines) {
                count += tokenizer.encode(line).length;
            }
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
            ids = count;
        }
        return new double[]{mb, best, ids / best, mb / best};
    }

    private static String text(Random random, int bytes, boolean mixed) {
        StringBuilder b = new StringBuilder();
        int size = 0;
        while (size < bytes) {
            StringBuilder line = new StringBuilder();
            int words = 5 + random.nextInt(20);
            for (int w = 0; w < words; w++) {
                boolean chinese = mixed && random.nextBoolean();
                String word = chinese ? CHINESE[random.nextInt(CHINESE.length)] : ENGLISH[random.nextInt(ENGLISH.length)];
                line.append(word).append(chinese ? "" : " ");
            }
            line.append(mixed ? "。" : ".").append('\n');
            size += line.toString().getBytes(StandardCharsets.UTF_8).length;
            b.append(line);
        }
        return b.toString();
    }
}
