package org.cogview2.training.core;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends entries to the JSONL log (format in {@link TrainingLog}). Opening it at a saved position truncates
 * what a run wrote after its last state: the resumed run writes those steps again, so none appears twice.
 * Each entry is one write of a whole line, so a crash leaves at most one partial last line, which readers skip.
 */
final class TrainingLogWriter implements AutoCloseable {

    private final FileChannel channel;

    private TrainingLogWriter(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Opens {@code file} keeping its first {@code keepBytes} bytes (0: a fresh log). A file shorter than that
     * (the log was moved or cut) is kept whole and continued.
     */
    static TrainingLogWriter open(Path file, long keepBytes) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.size() > keepBytes) {
                ch.truncate(keepBytes);
            }
            ch.position(ch.size());
            return new TrainingLogWriter(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Appends the entry of one step. */
    void append(long step, double loss, double lr, double gradNorm, double samplesPerSecond, double elapsedSeconds,
                Map<String, Double> metrics, Map<String, Double> eval) throws IOException {
        ObjectNode n = TrainingLog.JSON.createObjectNode();
        n.put("step", step);
        n.put("loss", loss);
        n.put("lr", lr);
        n.put("grad_norm", gradNorm);
        n.put("samples_per_s", samplesPerSecond);
        n.put("elapsed_s", elapsedSeconds);
        if (!metrics.isEmpty()) {
            ObjectNode m = n.putObject("metrics");
            metrics.forEach(m::put);
        }
        if (!eval.isEmpty()) {
            ObjectNode e = n.putObject("eval");
            eval.forEach(e::put);
        }
        ByteBuffer line = ByteBuffer.wrap((TrainingLog.JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            channel.write(line);
        }
    }

    /** Forces the entries to disk; the position is then safe to save in a state. */
    void flush() throws IOException {
        channel.force(false);
    }

    /** The file's length: where a resumed run continues. */
    long position() throws IOException {
        return channel.position();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
