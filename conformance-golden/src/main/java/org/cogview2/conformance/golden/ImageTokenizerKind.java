package org.cogview2.conformance.golden;

import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;
import org.cogview2.tokenizer.icetk.image.ImageNormalization;
import org.cogview2.tokenizer.icetk.image.PictureResize;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code image_tokenizer}: the HVQVAE image codec: encode (ids, decoded round trip) at compress rates 4, 8, 16,
 * decode of given ids, every intermediate of one encode/decode, and icetk's resize + centre crop of a picture.
 */
final class ImageTokenizerKind implements GoldenKind {

    static final Tolerance IMAGES = Tolerance.absRel(2e-4, 1e-4);

    @Override
    public String kind() {
        return "image_tokenizer";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        HierarchicalVqVae vq = GoldenModels.vqvae(golden, context);
        int level = HierarchicalVqVae.level(golden.params().path("compress_rate").asInt());
        int rate = 1 << (level + 2);
        List<ComparisonResult> results = new ArrayList<>();
        if (golden.hasInput("images")) {
            int[] shape = golden.shape("images");
            int batch = shape[0];
            int h = shape[2];
            int w = shape[3];
            int[] ids = vq.encode(ImageNormalization.normalize(golden.floats("images"), h * w), batch, h, w, level);
            results.add(HostArrays.compareExact(golden, "ids", ids));
            float[] decoded = ImageNormalization.denormalize(vq.decode(ids, batch, h / rate, level), h * w);
            results.add(HostArrays.compare(golden, "decoded", decoded, golden.tolerance("decoded", IMAGES)));
        } else if (golden.hasInput("ids")) {
            int[] shape = golden.shape("ids");
            int side = (int) Math.round(Math.sqrt(shape[1]));
            int pixels = side * rate;
            float[] decoded = ImageNormalization.denormalize(vq.decode(golden.ints("ids"), shape[0], side, level), pixels * pixels);
            results.add(HostArrays.compare(golden, "decoded", decoded, golden.tolerance("decoded", IMAGES)));
        } else if (golden.hasInput("image")) {
            intermediates(golden, context, vq, level, results);
        } else {
            resize(golden, vq, level, results);
        }
        return results;
    }

    private static void intermediates(GoldenCase golden, GoldenContext context, HierarchicalVqVae vq, int level,
                                      List<ComparisonResult> results) {
        Tolerance tol = golden.tolerance("tensors", IMAGES);
        int[] shape = golden.shape("image");
        int h = shape[1];
        int w = shape[2];
        float[] normalized = ImageNormalization.normalize(golden.floats("image"), h * w);
        results.add(HostArrays.compare(golden, "normalized", normalized, tol));
        try (TensorScope s = context.backend().newScope()) {
            Tensor x = s.fromFloats(normalized, Shape.of(1, 3, h, w));
            results.add(HostArrays.compare(s, golden, "enc_conv_in", vq.encoderInput(s, x), tol));
            results.add(HostArrays.compare(s, golden, "enc_out", vq.latent(s, x, 0), tol));
            results.add(HostArrays.compare(s, golden, "down1", vq.latent(s, x, 1), tol));
            Tensor down2 = vq.latent(s, x, 2);
            results.add(HostArrays.compare(s, golden, "down2", down2, tol));
            results.add(HostArrays.compare(s, golden, "z_e", vq.project(s, vq.latent(s, x, level)), tol));
            int[] ids = s.readInts(vq.quantize(s, vq.latent(s, x, level)));
            results.add(HostArrays.compareExact(golden, "ids", ids));
            int side = (int) Math.round(Math.sqrt(ids.length));
            results.add(HostArrays.compare(s, golden, "dec_conv_in", vq.decoderInput(s, ids, 1, side, level), tol));
            Tensor out = vq.decode(s, ids, 1, side, level);
            results.add(HostArrays.compare(s, golden, "dec_out", out, tol));
            results.add(HostArrays.compare(golden, "decoded", ImageNormalization.denormalize(s.readFloats(out), h * w), tol));
        }
    }

    private static void resize(GoldenCase golden, HierarchicalVqVae vq, int level, List<ComparisonResult> results) {
        int[] hwc = golden.ints("image_uint8_hwc");
        int[] shape = golden.shape("image_uint8_hwc");
        int h = shape[0];
        int w = shape[1];
        float[] planes = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    planes[(c * h + y) * w + x] = hwc[(y * w + x) * 3 + c];
                }
            }
        }
        int size = golden.params().path("image_size").asInt();
        PictureResize.Planes resized = PictureResize.resizeAndCrop(new PictureResize.Planes(w, h, planes, true), size);
        float[] unit = PictureResize.toImage(resized).planes();
        results.add(HostArrays.compare(golden, "resized", unit, golden.tolerance("resized", Tolerance.absRel(1 / 255.0 + 1e-6, 0))));
        int[] ids = vq.encode(ImageNormalization.normalize(unit, size * size), 1, size, size, level);
        results.add(HostArrays.compareExact(golden, "ids", ids));
    }
}
