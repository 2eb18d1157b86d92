package org.cogview2.dataset;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.cogview2.dataset.TestImages.isWhite;
import static org.cogview2.dataset.TestImages.rgb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgRasteriserTest {

    private static final Path FILE = Path.of("test-pictures", "x.svg");
    private final SvgRasteriser rasteriser = new SvgRasteriser(160, 480);

    private static SvgPicture svg(String text) {
        return new SvgPicture(FILE, "x.svg", () -> text);
    }

    @Test
    void draws_a_red_disc_on_white_at_both_sizes() {
        List<BufferedImage> images = rasteriser.render("test/disc", svg(
                "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 36 36'><circle cx='18' cy='18' r='12' fill='#ff0000'/></svg>"));
        assertEquals(2, images.size());
        for (BufferedImage image : images) {
            int s = image.getWidth();
            assertEquals(s, image.getHeight());
            assertEquals(BufferedImage.TYPE_INT_RGB, image.getType(), "opaque RGB");
            assertTrue(isWhite(image, 0, 0) && isWhite(image, s - 1, s - 1), "white corners");
            assertArrayEquals(new int[]{255, 0, 0}, rgb(image, s / 2, s / 2), "red middle");
        }
        assertEquals(160, images.get(0).getWidth());
        assertEquals(480, images.get(1).getWidth());
    }

    @Test
    void fits_a_wide_viewbox_into_the_square_and_centres_it() {
        BufferedImage image = rasteriser.render("test/wide", svg(
                "<svg xmlns='http://www.w3.org/2000/svg' viewBox='10 10 200 100'><rect x='10' y='10' width='200' height='100' fill='#0000ff'/></svg>"))
                .getFirst();
        // 200x100 scaled into 160x160 is 160x80, centred: rows 40..119 blue, the rest white.
        assertTrue(isWhite(image, 80, 20), "above the box is white");
        assertTrue(isWhite(image, 80, 140), "below the box is white");
        assertArrayEquals(new int[]{0, 0, 255}, rgb(image, 2, 80), "the box spans the full width");
        assertArrayEquals(new int[]{0, 0, 255}, rgb(image, 157, 45));
    }

    @Test
    void uses_width_and_height_when_there_is_no_viewbox() {
        BufferedImage image = rasteriser.render("test/sized", svg(
                "<svg xmlns='http://www.w3.org/2000/svg' width='20' height='20'><rect x='5' y='5' width='10' height='10' fill='#00ff00'/></svg>"))
                .getFirst();
        assertArrayEquals(new int[]{0, 255, 0}, rgb(image, 80, 80));
        assertTrue(isWhite(image, 10, 10));
    }

    @Test
    void draws_svg2_href_and_css3_rgba_that_batik_alone_rejects() {
        BufferedImage image = rasteriser.render("test/svg2", svg("""
                <svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'>
                  <defs><linearGradient id='g'><stop offset='0' stop-color='rgba(255, 0, 0, .5)'/><stop offset='1' stop-color='rgba(255, 0, 0, .5)'/></linearGradient>
                  <rect id='r' width='10' height='5'/></defs>
                  <use href='#r' fill='url(#g)'/>
                  <rect y='5' width='10' height='5' fill='rgba(0, 0, 255, 1)'/>
                </svg>""")).getFirst();
        int[] top = rgb(image, 80, 40);
        assertTrue(top[0] >= 250 && top[1] > 100 && top[1] < 155 && top[2] > 100 && top[2] < 155, "half-transparent red on white: " + java.util.Arrays.toString(top));
        assertArrayEquals(new int[]{0, 0, 255}, rgb(image, 80, 120));
    }

    @Test
    void rejects_malformed_xml_naming_the_picture() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> rasteriser.render("twemoji/1f42f", svg("<svg xmlns='http://www.w3.org/2000/svg'><circle")));
        assertTrue(e.getMessage().contains("picture 'twemoji/1f42f'"), e.getMessage());
        assertTrue(e.getMessage().contains("not a well-formed SVG"), e.getMessage());
        assertEquals(FILE, e.file());
    }

    @Test
    void rejects_a_document_that_is_not_svg_or_cannot_be_drawn() {
        DatasetFormatException notSvg = assertThrows(DatasetFormatException.class,
                () -> rasteriser.render("noto/1", svg("<html><body>hi</body></html>")));
        assertTrue(notSvg.getMessage().contains("picture 'noto/1'"), notSvg.getMessage());
        DatasetFormatException brokenRef = assertThrows(DatasetFormatException.class, () -> rasteriser.render("noto/2",
                svg("<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' viewBox='0 0 1 1'><use xlink:href='#missing'/></svg>")));
        assertTrue(brokenRef.getMessage().contains("picture 'noto/2'") && brokenRef.getMessage().contains("cannot render"), brokenRef.getMessage());
        DatasetFormatException noSize = assertThrows(DatasetFormatException.class,
                () -> rasteriser.render("noto/3", svg("<svg xmlns='http://www.w3.org/2000/svg' width='0' height='0'/>")));
        assertTrue(noSize.getMessage().contains("picture 'noto/3'"), noSize.getMessage());
    }

    @Test
    void never_loads_external_resources() {
        // A picture pointing at a URL must fail on its own, not reach out to the network.
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> rasteriser.render("x/remote", svg(
                "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' viewBox='0 0 1 1'>"
                        + "<image width='1' height='1' xlink:href='http://example.invalid/a.png'/></svg>")));
        assertFalse(e.getMessage().isBlank());
    }
}
