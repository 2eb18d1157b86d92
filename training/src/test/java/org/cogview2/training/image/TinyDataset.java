package org.cogview2.training.image;

import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A few generated pictures in the emoji set's layout: coloured discs and squares on white, at 160 and 480. */
public final class TinyDataset {

    private TinyDataset() {
    }

    public static Path write(Path dir, int pictures) throws IOException {
        List<ManifestEntry> entries = new ArrayList<>();
        Color[] colours = {new Color(0xE53935), new Color(0x1E88E5), new Color(0xFDD835), new Color(0x43A047), new Color(0x8E24AA)};
        for (int i = 0; i < pictures; i++) {
            String hex = String.format("%04X", 0x1F600 + i);
            String small = "images/160/test/" + hex + ".png";
            String large = "images/480/test/" + hex + ".png";
            for (int side : new int[] {160, 480}) {
                Path file = dir.resolve(side == 160 ? small : large);
                Files.createDirectories(file.getParent());
                ImageIO.write(draw(side, colours[i % colours.length], i), "png", file.toFile());
            }
            String split = i % 4 == 3 ? ManifestEntry.HELDOUT : ManifestEntry.TRAIN;
            entries.add(new ManifestEntry("test/" + hex, hex, "test", "shape " + i, "形状" + i, List.of(), List.of(),
                    split, small, large));
        }
        Manifest.write(dir, entries);
        return dir;
    }

    private static BufferedImage draw(int side, Color colour, int i) {
        BufferedImage b = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = b.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, side, side);
        g.setColor(colour);
        int m = side / 8;
        if (i % 2 == 0) {
            g.fillOval(m, m, side - 2 * m, side - 2 * m);
        } else {
            g.fillRect(m, 2 * m, side - 2 * m, side - 4 * m);
        }
        g.setColor(Color.BLACK);
        g.fillOval(side / 3, side / 3, side / 10, side / 10);
        g.dispose();
        return b;
    }
}
