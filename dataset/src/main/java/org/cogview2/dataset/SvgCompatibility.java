package org.cogview2.dataset;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few SVG 2 and CSS 3 forms that today's emoji sets use and Batik (an SVG 1.1 renderer) rejects into
 * their SVG 1.1 equivalents, on the parsed document before it is drawn. Without it about a tenth of the Noto set
 * would fail to draw. The picture looks the same either way: each rewrite is exact.
 * <ul>
 *   <li>{@code href="#x"} (SVG 2) becomes {@code xlink:href="#x"};</li>
 *   <li>a colour attribute {@code rgba(r, g, b, a)} (CSS 3) becomes {@code rgb(r, g, b)} with {@code a} multiplied
 *       into the matching opacity attribute ({@code stop-color} → {@code stop-opacity}, {@code fill} →
 *       {@code fill-opacity}, ...).</li>
 * </ul>
 */
final class SvgCompatibility {

    static final String XLINK_NS = "http://www.w3.org/1999/xlink";

    private static final Map<String, String> OPACITY_OF = Map.of(
            "fill", "fill-opacity",
            "stroke", "stroke-opacity",
            "stop-color", "stop-opacity",
            "flood-color", "flood-opacity",
            "lighting-color", "opacity");

    private static final Pattern RGBA = Pattern.compile(
            "\\s*rgba\\(\\s*([0-9.]+%?)\\s*,\\s*([0-9.]+%?)\\s*,\\s*([0-9.]+%?)\\s*,\\s*([0-9.]+%?)\\s*\\)\\s*",
            Pattern.CASE_INSENSITIVE);

    private SvgCompatibility() {
    }

    /** Applies every rewrite to the document, in place. */
    static void apply(Document document) {
        Element root = document.getDocumentElement();
        if (root != null) {
            visit(root);
        }
    }

    private static void visit(Element element) {
        rewriteHref(element);
        rewriteRgba(element);
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e) {
                visit(e);
            }
        }
    }

    private static void rewriteHref(Element element) {
        Attr plain = element.getAttributeNodeNS(null, "href");
        if (plain == null) {
            return;
        }
        if (!element.hasAttributeNS(XLINK_NS, "href")) {
            element.setAttributeNS(XLINK_NS, "xlink:href", plain.getValue());
        }
        element.removeAttributeNode(plain);
    }

    private static void rewriteRgba(Element element) {
        NamedNodeMap attributes = element.getAttributes();
        List<Attr> colours = new ArrayList<>();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (a.getNamespaceURI() == null && OPACITY_OF.containsKey(a.getName()) && RGBA.matcher(a.getValue()).matches()) {
                colours.add(a);
            }
        }
        for (Attr a : colours) {
            Matcher m = RGBA.matcher(a.getValue());
            if (!m.matches()) {
                continue;
            }
            a.setValue("rgb(" + m.group(1) + ", " + m.group(2) + ", " + m.group(3) + ")");
            double alpha = fraction(m.group(4));
            String opacityName = OPACITY_OF.get(a.getName());
            double existing = 1;
            String old = element.getAttributeNS(null, opacityName);
            if (old != null && !old.isBlank()) {
                try {
                    existing = fraction(old.strip());
                } catch (NumberFormatException e) {
                    existing = 1; // Batik would reject the old value anyway; the colour's alpha is the better guess.
                }
            }
            element.setAttributeNS(null, opacityName, String.format(Locale.ROOT, "%.4f", alpha * existing));
        }
    }

    private static double fraction(String value) {
        double v = value.endsWith("%") ? Double.parseDouble(value.substring(0, value.length() - 1)) / 100 : Double.parseDouble(value);
        return Math.clamp(v, 0, 1);
    }
}
