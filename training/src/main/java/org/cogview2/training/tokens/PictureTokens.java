package org.cogview2.training.tokens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.dataset.DatasetFormatException;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.libtorch.LibtorchHvqvae;
import org.cogview2.libtorch.StateDictParams;
import org.cogview2.training.image.PictureCrops;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image tokens of a data set's pictures, as the transformers are trained on them: the 160 picture's 20x20 grid
 * (CogLM, the input of direct super-resolution) and the 480 picture's 60x60 grid (the super-resolution targets), both
 * at icetk level 1 (compress rate 8) of one {@code ice_image.pt}.
 *
 * <p>Encoding every picture takes minutes (the 480 ones most), so the grids are cached in a file named after the
 * tokenizer's SHA-256 and the grid side: a changed tokenizer never reuses old tokens.
 */
public final class PictureTokens {

    public static final int LOW_SIDE = 20;
    public static final int HIGH_SIDE = 60;
    private static final int LEVEL = 1;
    private static final int MAGIC = 0x43565431; // "CVT1"

    private final Map<String, short[]> grids;
    private final int side;

    private PictureTokens(Map<String, short[]> grids, int side) {
        this.grids = grids;
        this.side = side;
    }

    /**
     * The grids of {@code side} (20 or 60) for every entry, read from {@code cacheDir} or encoded (and cached) there.
     *
     * @param progress where a line per 500 encoded pictures goes (null: silent)
     */
    public static PictureTokens load(Path cacheDir, Path datasetDir, List<ManifestEntry> entries, Path iceImage,
                                     int side, NDManager manager, PrintWriter progress) throws IOException {
        if (side != LOW_SIDE && side != HIGH_SIDE) {
            throw new IllegalArgumentException("grid side must be 20 or 60, got " + side);
        }
        Path file = cacheDir.resolve("tokens-" + sha256(iceImage).substring(0, 16) + "-" + side + ".bin");
        if (Files.isRegularFile(file)) {
            Map<String, short[]> cached = read(file, side);
            if (entries.stream().allMatch(e -> cached.containsKey(e.id()))) {
                return new PictureTokens(cached, side);
            }
        }
        Map<String, short[]> grids = encode(datasetDir, entries, iceImage, side, manager, progress);
        Files.createDirectories(cacheDir);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(MAGIC);
            out.writeInt(side);
            out.writeInt(grids.size());
            for (Map.Entry<String, short[]> g : grids.entrySet()) {
                out.writeUTF(g.getKey());
                for (short t : g.getValue()) {
                    out.writeShort(t);
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new PictureTokens(grids, side);
    }

    /** Grids held in memory (tests, or tokens from elsewhere), by entry id; each {@code side * side} ids below 65536. */
    public static PictureTokens of(Map<String, int[]> grids, int side) {
        Map<String, short[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> g : grids.entrySet()) {
            int[] ids = g.getValue();
            if (ids.length != side * side) {
                throw new IllegalArgumentException("grid of '" + g.getKey() + "' has " + ids.length + " ids, expected " + side * side);
            }
            short[] s = new short[ids.length];
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] > 0xFFFF) {
                    throw new IllegalArgumentException("grid of '" + g.getKey() + "' has id " + ids[i]);
                }
                s[i] = (short) ids[i];
            }
            out.put(g.getKey(), s);
        }
        return new PictureTokens(out, side);
    }

    /** The grid of entry {@code id} in raster order. */
    public int[] grid(String id) {
        short[] g = grids.get(id);
        if (g == null) {
            throw new IllegalArgumentException("no " + side + "x" + side + " tokens for data-set entry '" + id + "'");
        }
        int[] out = new int[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = Short.toUnsignedInt(g[i]);
        }
        return out;
    }

    public int side() {
        return side;
    }

    private static Map<String, short[]> read(Path file, int side) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != side) {
                throw new DatasetFormatException(file, "not a token cache of " + side + "x" + side + " grids");
            }
            int count = in.readInt();
            Map<String, short[]> out = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String id = in.readUTF();
                short[] g = new short[side * side];
                for (int k = 0; k < g.length; k++) {
                    g[k] = in.readShort();
                }
                out.put(id, g);
            }
            return out;
        }
    }

    private static Map<String, short[]> encode(Path datasetDir, List<ManifestEntry> entries, Path iceImage, int side,
                                               NDManager parent, PrintWriter progress) {
        int batch = side == LOW_SIDE ? 16 : 2;
        Map<String, short[]> out = new LinkedHashMap<>();
        try (NDManager manager = parent.newSubManager(); TorchCheckpoint checkpoint = TorchCheckpoint.open(iceImage)) {
            LibtorchHvqvae model = new LibtorchHvqvae(StateDictParams.load(manager, checkpoint.stateDict()));
            int pixels = side * LibtorchHvqvae.compressRate(LEVEL);
            for (int from = 0; from < entries.size(); from += batch) {
                List<ManifestEntry> chunk = entries.subList(from, Math.min(entries.size(), from + batch));
                float[] planes = new float[chunk.size() * 3 * pixels * pixels];
                for (int i = 0; i < chunk.size(); i++) {
                    ManifestEntry e = chunk.get(i);
                    Path picture = datasetDir.resolve(side == LOW_SIDE ? e.image160() : e.image480());
                    float[] one = PictureCrops.whole(picture, e.id());
                    if (one.length != 3 * pixels * pixels) {
                        throw new DatasetFormatException(picture, "picture of '" + e.id() + "' should be " + pixels
                                + "x" + pixels + " for a " + side + "x" + side + " token grid");
                    }
                    System.arraycopy(one, 0, planes, i * one.length, one.length);
                }
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.create(planes, new Shape(chunk.size(), 3, pixels, pixels));
                    long[] ids = model.nearestCodes(model.project(model.latent(x, LEVEL))).toLongArray();
                    int cells = side * side;
                    for (int i = 0; i < chunk.size(); i++) {
                        short[] g = new short[cells];
                        for (int k = 0; k < cells; k++) {
                            g[k] = (short) ids[i * cells + k];
                        }
                        out.put(chunk.get(i).id(), g);
                    }
                }
                if (progress != null && (from / batch + 1) * batch % 500 < batch) {
                    progress.printf("encoded %d of %d pictures at %dx%d tokens%n", Math.min(entries.size(), from + batch),
                            entries.size(), side, side);
                }
            }
        }
        return out;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
