package org.cogview2.checkpoint;

import org.cogview2.api.ModelFormatException;
import org.cogview2.api.ModelNotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A SAT model folder as released ({@code coglm}, {@code cogview2-dsr}, {@code cogview2-itersr}) and as SAT
 * 0.2.x reads it:
 * <pre>
 * &lt;dir&gt;/latest                                  the iteration tag: a positive decimal number or "release"
 * &lt;dir&gt;/model_config.json                       hyper-parameters ({@link TransformerConfig})
 * &lt;dir&gt;/&lt;tag&gt;/mp_rank_00_model_states.pt        the checkpoint ({@link TorchCheckpoint})
 * </pre>
 * {@link #open} reads {@code latest} and checks the checkpoint exists; the config is parsed on the first call
 * of {@link #config()} (CogView2 never reads the SR folders' configs: they are built with CogLM's). The checkpoint
 * may be in the zip or the legacy {@code torch.save} format and may carry SAT's and DeepSpeed's training state
 * beside {@code module} (see {@link TorchCheckpoint}).
 */
public final class SatModelFolder {

    /** Checkpoint file name inside the tag folder (model-parallel rank 0). */
    public static final String CHECKPOINT_NAME = "mp_rank_00_model_states.pt";
    /** Config file name. */
    public static final String CONFIG_NAME = "model_config.json";
    /** Iteration file name. */
    public static final String LATEST_NAME = "latest";
    private static final int MAX_LATEST_BYTES = 64;

    private final Path directory;
    private final String tag;
    private volatile TransformerConfig config;

    private SatModelFolder(Path directory, String tag) {
        this.directory = directory;
        this.tag = tag;
    }

    /**
     * Opens a folder: reads {@code latest} and checks the checkpoint it names exists.
     *
     * @throws ModelNotFoundException if the folder, {@code latest} or the checkpoint is missing (the message
     *                                lists each missing path)
     * @throws ModelConfigException   if {@code latest} is not a positive decimal number or {@code release}
     */
    public static SatModelFolder open(Path dir) {
        List<String> missing = new java.util.ArrayList<>();
        SatModelFolder f = probe(dir, false, missing);
        if (f == null) {
            throw new ModelNotFoundException("SAT model folder " + dir + " is incomplete: " + String.join("; ", missing));
        }
        return f;
    }

    /**
     * Checks a folder, adding one line per missing item to {@code missing}; returns the folder when complete.
     * Format errors (an unreadable {@code latest}) are thrown.
     */
    static SatModelFolder probe(Path dir, boolean needConfig, List<String> missing) {
        if (!Files.isDirectory(dir)) {
            Path zip = dir.resolveSibling(dir.getFileName() + ".zip");
            missing.add("folder " + dir + " does not exist" + (Files.isRegularFile(zip)
                    ? " (" + zip + " exists: extract it there; its top-level folder is " + dir.getFileName() + ")"
                    : ""));
            return null;
        }
        int before = missing.size();
        Path latest = dir.resolve(LATEST_NAME);
        String tag = null;
        if (!Files.isRegularFile(latest)) {
            missing.add(latest + " (the iteration file) does not exist");
        } else {
            tag = readTag(latest);
        }
        if (needConfig && !Files.isRegularFile(dir.resolve(CONFIG_NAME))) {
            missing.add(dir.resolve(CONFIG_NAME) + " does not exist");
        }
        if (tag != null) {
            Path ckpt = dir.resolve(tag).resolve(CHECKPOINT_NAME);
            if (!Files.isRegularFile(ckpt)) {
                missing.add(ckpt + " (the checkpoint named by " + latest.getFileName() + " = " + tag
                        + ") does not exist");
            }
        }
        return missing.size() == before ? new SatModelFolder(dir, tag) : null;
    }

    /** Reads a {@code latest} file: a positive decimal iteration (leading zeros dropped) or {@code release}. */
    static String readTag(Path latest) {
        byte[] b;
        try (InputStream in = Files.newInputStream(latest)) {
            b = in.readNBytes(MAX_LATEST_BYTES + 1);
        } catch (IOException e) {
            throw new ModelFormatException(latest, "cannot read: " + e.getMessage(), e);
        }
        if (b.length > MAX_LATEST_BYTES) {
            throw new ModelConfigException(latest, null, "longer than " + MAX_LATEST_BYTES
                    + " bytes; expected an iteration number or 'release'");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelConfigException(latest, null, "not valid UTF-8 text; expected an iteration number or "
                    + "'release'");
        }
        String s = text.strip();
        if (s.equals("release")) {
            return s;
        }
        if (!s.matches("[0-9]+")) {
            throw new ModelConfigException(latest, null, "holds '" + printable(s) + "'; expected a positive "
                    + "decimal iteration number or 'release'");
        }
        BigInteger it = new BigInteger(s);
        if (it.signum() <= 0 || it.bitLength() > 63) {
            throw new ModelConfigException(latest, null, "iteration " + s + " is not a positive 64-bit number");
        }
        return it.toString();
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(40).forEach(c -> sb.append(c >= 0x20 && c != 0x7f ? Character.toString(c)
                : String.format("\\u%04x", c)));
        return sb.toString();
    }

    /** The folder. */
    public Path directory() {
        return directory;
    }

    /** The iteration tag read from {@code latest} (e.g. {@code 48000}), used as the checkpoint's folder name. */
    public String tag() {
        return tag;
    }

    /** {@code <dir>/<tag>/mp_rank_00_model_states.pt}. */
    public Path checkpointFile() {
        return directory.resolve(tag).resolve(CHECKPOINT_NAME);
    }

    /** {@code <dir>/model_config.json}. */
    public Path configFile() {
        return directory.resolve(CONFIG_NAME);
    }

    /**
     * The hyper-parameters from {@code model_config.json} (parsed once).
     *
     * @throws ModelNotFoundException if the folder has no {@code model_config.json}
     * @throws ModelConfigException   if it is malformed
     */
    public TransformerConfig config() {
        TransformerConfig c = config;
        if (c == null) {
            c = TransformerConfig.read(configFile());
            config = c;
        }
        return c;
    }

    /** Opens the checkpoint with the weights-only allow-list; the caller closes it. */
    public TorchCheckpoint openCheckpoint() {
        return TorchCheckpoint.open(checkpointFile());
    }

    /** Opens the checkpoint accepting the globals of {@code allowList}; the caller closes it. */
    public TorchCheckpoint openCheckpoint(PickleAllowList allowList) {
        return TorchCheckpoint.open(checkpointFile(), allowList);
    }

    @Override
    public String toString() {
        return "SatModelFolder[" + directory + ", tag " + tag + "]";
    }
}
