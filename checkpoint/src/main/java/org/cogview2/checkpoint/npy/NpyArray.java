package org.cogview2.checkpoint.npy;

import org.cogview2.api.ModelFormatException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array (format 1.0 to 3.0, C order, little-endian {@code <f4 <f8 <i4 <i8 <u1 |b1}), as used by
 * the golden cases and {@code cluster_label.npy}. Values are held on the heap as doubles or longs; these files are
 * small.
 */
public final class NpyArray {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Refuse arrays over this many elements: goldens and the cluster table are far smaller. */
    private static final long MAX_ELEMENTS = 1L << 28;

    private final String descr;
    private final int[] shape;
    private final double[] floats;
    private final long[] longs;

    private NpyArray(String descr, int[] shape, double[] floats, long[] longs) {
        this.descr = descr;
        this.shape = shape;
        this.floats = floats;
        this.longs = longs;
    }

    /** Reads an {@code .npy} file; a malformed file fails with a {@link ModelFormatException} naming it. */
    public static NpyArray read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_ELEMENTS * 8 + (1 << 20)) {
                throw new ModelFormatException(file, "file of " + size + " bytes is larger than any array this "
                        + "reader accepts (" + MAX_ELEMENTS + " elements)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    static NpyArray parse(Path file, byte[] bytes) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new ModelFormatException(file, "not a .npy file (magic \\x93NUMPY missing)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = buf.getShort(8) & 0xFFFF;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            headerLen = buf.getInt(8) & 0xFFFFFFFFL;
            headerStart = 12;
        } else {
            throw new ModelFormatException(file, "unsupported .npy format version " + major);
        }
        if (headerStart + headerLen > bytes.length) {
            throw new ModelFormatException(file, "header runs past the end of the file");
        }
        String header = new String(bytes, headerStart, (int) headerLen, StandardCharsets.ISO_8859_1);
        String descr = group(file, DESCR, header, "descr");
        if ("True".equals(group(file, FORTRAN, header, "fortran_order"))) {
            throw new ModelFormatException(file, "Fortran-order arrays are not supported");
        }
        int[] shape = parseShape(file, group(file, SHAPE, header, "shape"));
        long count = Arrays.stream(shape).anyMatch(d -> d == 0) ? 0 : 1;
        for (int d : shape) {
            count *= d;
            if (count > MAX_ELEMENTS) {
                break; // stop before the product can overflow
            }
        }
        if (count > MAX_ELEMENTS) {
            throw new ModelFormatException(file, "shape " + Arrays.toString(shape) + " has more than " + MAX_ELEMENTS
                    + " elements, the most this reader accepts");
        }
        int n = (int) count;
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "|b1", "|i1" -> 1;
            default -> throw new ModelFormatException(file, "unsupported dtype '" + descr + "'");
        };
        int dataStart = (int) (headerStart + headerLen);
        if ((long) dataStart + (long) n * width != bytes.length) {
            throw new ModelFormatException(file, "data holds " + (bytes.length - dataStart) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + descr + " needs " + ((long) n * width));
        }
        buf.position(dataStart);
        switch (descr) {
            case "<f4" -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = buf.getFloat();
                return new NpyArray(descr, shape, v, null);
            }
            case "<f8" -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = buf.getDouble();
                return new NpyArray(descr, shape, v, null);
            }
            default -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (width) {
                        case 8 -> buf.getLong();
                        case 4 -> buf.getInt();
                        default -> descr.equals("|i1") ? buf.get() : buf.get() & 0xFF;
                    };
                }
                return new NpyArray(descr, shape, null, v);
            }
        }
    }

    private static String group(Path file, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new ModelFormatException(file, "header has no '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    private static int[] parseShape(Path file, String text) {
        String[] parts = text.split(",");
        return Arrays.stream(parts).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(s -> {
            try {
                int d = Integer.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
                if (d < 0) throw new NumberFormatException();
                return d;
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, "bad dimension '" + s + "' in shape (" + text + ")");
            }
        }).toArray();
    }

    /** NumPy type string, e.g. {@code <f4}. */
    public String descr() {
        return descr;
    }

    /** The dimensions (a copy), outermost first. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public int size() {
        return floats != null ? floats.length : longs.length;
    }

    /** Whether the values are floating-point ({@code <f4}, {@code <f8}). */
    public boolean isFloating() {
        return floats != null;
    }

    /** The values as fp32 (integers converted). */
    public float[] toFloats() {
        float[] out = new float[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = floats != null ? (float) floats[i] : (float) longs[i];
        }
        return out;
    }

    /** The values as longs; fails for floating arrays. */
    public long[] toLongs() {
        if (longs == null) {
            throw new IllegalStateException("array of " + descr + " is not integral");
        }
        return longs.clone();
    }

    /** The values as ints; fails for floating arrays or values out of int range. */
    public int[] toInts() {
        long[] l = toLongs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    /** Writes fp32 values as a format 1.0 {@code <f4} file. */
    public static void writeFloats(Path file, int[] shape, float[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) data.putFloat(v);
        write(file, "<f4", shape, data.array());
    }

    /** Writes longs as a format 1.0 {@code <i8} file. */
    public static void writeLongs(Path file, int[] shape, long[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) data.putLong(v);
        write(file, "<i8", shape, data.array());
    }

    private static void write(Path file, String descr, int[] shape, byte[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        String shapeText = shape.length == 1 ? shape[0] + "," : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(MAGIC);
            out.write(new byte[]{1, 0, (byte) (header.length() & 0xFF), (byte) (header.length() >> 8)});
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(data);
        }
    }
}
