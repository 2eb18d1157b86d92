package org.cogview2.dataset;

import org.apache.batik.anim.dom.SAXSVGDocumentFactory;
import org.apache.batik.bridge.BridgeContext;
import org.apache.batik.bridge.DocumentLoader;
import org.apache.batik.bridge.EmbededExternalResourceSecurity;
import org.apache.batik.bridge.ExternalResourceSecurity;
import org.apache.batik.bridge.GVTBuilder;
import org.apache.batik.bridge.NoLoadScriptSecurity;
import org.apache.batik.bridge.ScriptSecurity;
import org.apache.batik.bridge.UserAgentAdapter;
import org.apache.batik.bridge.ViewBox;
import org.apache.batik.ext.awt.RenderingHintsKeyExt;
import org.apache.batik.gvt.CanvasGraphicsNode;
import org.apache.batik.gvt.CompositeGraphicsNode;
import org.apache.batik.gvt.GraphicsNode;
import org.apache.batik.util.ParsedURL;
import org.apache.batik.util.XMLResourceDescriptor;
import org.w3c.dom.Element;
import org.w3c.dom.svg.SVGDocument;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Dimension2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws an SVG document as opaque RGB squares with Apache Batik: the SVG's viewBox scaled to fit the square with its
 * aspect ratio kept and centred ({@code xMidYMid meet}), drawn over white. The document is parsed and built once and
 * painted at every requested size.
 *
 * <p>SVG 2 and CSS 3 forms that Batik does not know are first rewritten into SVG 1.1 (see {@link SvgCompatibility}).
 * Anything that makes Batik fail (not XML, an unknown element, a broken reference, a size of zero) becomes a
 * {@link DatasetFormatException} naming the picture, so one bad picture never stops a whole build. External resources
 * and scripts are never loaded: a picture can only use what it embeds.
 *
 * <p>Instances hold no state between calls and may be shared by threads.
 */
public final class SvgRasteriser {

    private final int[] sizes;

    /** A rasteriser drawing each picture at these square sizes (pixels), in this order. */
    public SvgRasteriser(int... sizes) {
        if (sizes.length == 0) {
            throw new IllegalArgumentException("no sizes");
        }
        for (int s : sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("size " + s + " is not positive");
            }
        }
        this.sizes = sizes.clone();
    }

    /**
     * The picture drawn at each size (in the constructor's order).
     *
     * @param pictureId the picture's id, named in errors (e.g. {@code twemoji/1f42f})
     * @throws DatasetFormatException when the SVG cannot be parsed or drawn
     */
    public List<BufferedImage> render(String pictureId, SvgPicture picture) {
        String what = "picture '" + pictureId + "' (" + picture.name() + ")";
        String text = picture.document().get();
        SVGDocument document = parse(what, picture, text);
        RejectingUserAgent agent = new RejectingUserAgent();
        BridgeContext context = new BridgeContext(agent, new DocumentLoader(agent));
        context.setDynamicState(BridgeContext.STATIC);
        try {
            GraphicsNode root = build(what, picture, context, document, agent);
            Element svg = document.getRootElement();
            Dimension2D documentSize = context.getDocumentSize();
            String viewBox = svg.getAttributeNS(null, "viewBox");
            List<BufferedImage> out = new ArrayList<>(sizes.length);
            for (int size : sizes) {
                AffineTransform fit = fit(what, picture, svg, viewBox, documentSize, size, context);
                out.add(paint(what, picture, root, fit, size, agent));
            }
            return out;
        } finally {
            context.dispose();
        }
    }

    private static SVGDocument parse(String what, SvgPicture picture, String text) {
        SAXSVGDocumentFactory factory = new SAXSVGDocumentFactory(XMLResourceDescriptor.getXMLParserClassName());
        // The URI only resolves relative references; none is ever loaded (see RejectingUserAgent).
        String uri = picture.file().toUri().toString();
        try {
            SVGDocument document = factory.createSVGDocument(uri, new StringReader(text));
            SvgCompatibility.apply(document);
            return document;
        } catch (IOException | RuntimeException e) {
            throw new DatasetFormatException(picture.file(), what + ": not a well-formed SVG document (" + reason(e) + ")", e);
        }
    }

    private static GraphicsNode build(String what, SvgPicture picture, BridgeContext context, SVGDocument document,
                                      RejectingUserAgent agent) {
        GraphicsNode root;
        try {
            root = new GVTBuilder().build(context, document);
        } catch (StackOverflowError | RuntimeException e) {
            throw new DatasetFormatException(picture.file(), what + ": Batik cannot render it (" + reason(e) + ")", e);
        }
        agent.throwIfFailed(what, picture);
        return root;
    }

    /** The transform that puts the document's viewBox (or its width and height) centred into a size x size square. */
    private static AffineTransform fit(String what, SvgPicture picture, Element svg, String viewBox, Dimension2D documentSize,
                                       int size, BridgeContext context) {
        try {
            if (viewBox != null && !viewBox.isBlank()) {
                return ViewBox.getPreserveAspectRatioTransform(svg, viewBox, "xMidYMid meet", size, size, context);
            }
        } catch (RuntimeException e) {
            throw new DatasetFormatException(picture.file(), what + ": bad viewBox '" + viewBox + "' (" + reason(e) + ")", e);
        }
        double w = documentSize.getWidth();
        double h = documentSize.getHeight();
        if (!(w > 0) || !(h > 0)) {
            throw new DatasetFormatException(picture.file(), what + ": the SVG has no viewBox and no positive width and height");
        }
        double scale = Math.min(size / w, size / h);
        AffineTransform t = AffineTransform.getTranslateInstance((size - w * scale) / 2, (size - h * scale) / 2);
        t.scale(scale, scale);
        return t;
    }

    private static BufferedImage paint(String what, SvgPicture picture, GraphicsNode root, AffineTransform fit, int size,
                                       RejectingUserAgent agent) {
        // Drawn on transparent first and composited onto white after, as a viewer would show it on a white page.
        BufferedImage argb = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB_PRE);
        Graphics2D g = argb.createGraphics();
        try {
            g.setRenderingHint(RenderingHintsKeyExt.KEY_BUFFERED_IMAGE, new WeakReference<>(argb));
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            CanvasGraphicsNode canvas = canvasOf(root);
            if (canvas != null) {
                // The outermost <svg> carries the viewing transform itself (as Batik's own transcoder does it).
                canvas.setViewingTransform(fit);
            } else {
                g.transform(fit);
            }
            root.paint(g);
        } catch (StackOverflowError | RuntimeException e) {
            throw new DatasetFormatException(picture.file(), what + ": Batik failed drawing it at " + size + "x" + size + " (" + reason(e) + ")", e);
        } finally {
            g.dispose();
        }
        agent.throwIfFailed(what, picture);
        BufferedImage rgb = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D w = rgb.createGraphics();
        try {
            w.setColor(Color.WHITE);
            w.fillRect(0, 0, size, size);
            w.drawImage(argb, 0, 0, null);
        } finally {
            w.dispose();
        }
        return rgb;
    }

    private static CanvasGraphicsNode canvasOf(GraphicsNode root) {
        if (root instanceof CanvasGraphicsNode c) {
            return c;
        }
        if (root instanceof CompositeGraphicsNode composite && !composite.getChildren().isEmpty()
                && composite.getChildren().getFirst() instanceof CanvasGraphicsNode c) {
            return c;
        }
        return null;
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip().replaceAll("\\s+", " ");
    }

    /**
     * Batik reports some faults to its user agent instead of throwing; this one remembers the first, so it fails the
     * picture instead of printing to the console. It also forbids external resources and scripts.
     */
    private static final class RejectingUserAgent extends UserAgentAdapter {

        private volatile String firstError;

        @Override
        public void displayError(String message) {
            if (firstError == null) {
                firstError = message;
            }
        }

        @Override
        public void displayError(Exception e) {
            displayError(reason(e));
        }

        @Override
        public void displayMessage(String message) {
            // Informational; nothing to report.
        }

        @Override
        public ExternalResourceSecurity getExternalResourceSecurity(ParsedURL resourceURL, ParsedURL docURL) {
            return new EmbededExternalResourceSecurity(resourceURL);
        }

        @Override
        public ScriptSecurity getScriptSecurity(String scriptType, ParsedURL scriptURL, ParsedURL docURL) {
            return new NoLoadScriptSecurity(scriptType);
        }

        void throwIfFailed(String what, SvgPicture picture) {
            if (firstError != null) {
                throw new DatasetFormatException(picture.file(), what + ": Batik cannot render it (" + firstError + ")");
            }
        }
    }
}
