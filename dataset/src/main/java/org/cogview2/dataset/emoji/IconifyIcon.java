package org.cogview2.dataset.emoji;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One icon of an Iconify JSON set with its alias chain already applied: the SVG body (the content of an
 * {@code <svg>} element), its box, and the flips and quarter turns Iconify lets an icon or alias ask for.
 *
 * @param rotate quarter turns clockwise (0 to 3)
 */
record IconifyIcon(String body, double left, double top, double width, double height, int rotate, boolean hFlip,
                   boolean vFlip) {

    /**
     * The icon as a standalone SVG document: {@code <svg xmlns=... viewBox="left top width height">body</svg>}, with
     * flips and turns as a wrapping transform, computed as Iconify's own {@code iconToSVG} does it.
     */
    String toSvgDocument() {
        double boxLeft = left;
        double boxTop = top;
        double boxWidth = width;
        double boxHeight = height;
        int rotation = rotate;
        List<String> transforms = new ArrayList<>();
        if (hFlip) {
            if (vFlip) {
                rotation += 2;
            } else {
                transforms.add("translate(" + num(boxWidth + boxLeft) + " " + num(-boxTop) + ")");
                transforms.add("scale(-1 1)");
                boxLeft = 0;
                boxTop = 0;
            }
        } else if (vFlip) {
            transforms.add("translate(" + num(-boxLeft) + " " + num(boxHeight + boxTop) + ")");
            transforms.add("scale(1 -1)");
            boxLeft = 0;
            boxTop = 0;
        }
        rotation = Math.floorMod(rotation, 4);
        switch (rotation) {
            case 1 -> {
                double c = boxHeight / 2 + boxTop;
                transforms.addFirst("rotate(90 " + num(c) + " " + num(c) + ")");
            }
            case 2 -> transforms.addFirst("rotate(180 " + num(boxWidth / 2 + boxLeft) + " " + num(boxHeight / 2 + boxTop) + ")");
            case 3 -> {
                double c = boxWidth / 2 + boxLeft;
                transforms.addFirst("rotate(-90 " + num(c) + " " + num(c) + ")");
            }
            default -> {
            }
        }
        if (rotation % 2 == 1) {
            double t = boxLeft;
            boxLeft = boxTop;
            boxTop = t;
            t = boxWidth;
            boxWidth = boxHeight;
            boxHeight = t;
        }
        String content = transforms.isEmpty() ? body : "<g transform=\"" + String.join(" ", transforms) + "\">" + body + "</g>";
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\""
                + num(boxLeft) + " " + num(boxTop) + " " + num(boxWidth) + " " + num(boxHeight) + "\">" + content + "</svg>";
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
