package org.cogview2.tokenizer.icetk;

import org.cogview2.api.ClosableTokenizer;
import org.cogview2.api.RgbImage;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.TokenGrid;
import org.cogview2.spi.Backend;
import org.cogview2.tokenizer.icetk.image.IceImageTokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * The ICE tokenizer ({@code icetk} with CogView2's three special tokens): text through {@link IceTextTokenizer},
 * images through {@link IceImageTokenizer}, one id space (image tokens 0..19999 first).
 */
public final class IceTokenizer implements ClosableTokenizer {

    private final IceTextTokenizer text;
    private final IceImageTokenizer image;

    public IceTokenizer(IceTextTokenizer text, IceImageTokenizer image) {
        this.text = text;
        this.image = image;
    }

    /** Loads {@code ice_text.model} and {@code ice_image.pt} (the image codec onto {@code backend}). */
    public static IceTokenizer load(Path iceText, Path iceImage, Backend backend) {
        IceTextTokenizer text = IceTextTokenizer.load(iceText);
        return new IceTokenizer(text, IceImageTokenizer.load(iceImage, backend));
    }

    public IceTextTokenizer text() {
        return text;
    }

    public IceImageTokenizer image() {
        return image;
    }

    @Override
    public int[] encode(String s) {
        return text.encode(s);
    }

    @Override
    public int[] encode(String s, boolean linebreaksAsTokens) {
        return text.encode(s, linebreaksAsTokens);
    }

    @Override
    public List<String> tokenize(String s) {
        return text.tokenize(s);
    }

    @Override
    public String decode(int[] textIds) {
        return text.decode(textIds);
    }

    @Override
    public int tokenId(String piece) {
        return text.tokenId(piece);
    }

    @Override
    public String tokenName(int id) {
        return text.tokenName(id);
    }

    @Override
    public int specialTokenId(SpecialToken token) {
        return text.specialTokenId(token);
    }

    @Override
    public int vocabularySize() {
        return text.vocabularySize();
    }

    @Override
    public TokenGrid encodeImage(RgbImage picture, int compressRate) {
        return image.encode(picture, compressRate);
    }

    @Override
    public TokenGrid encodePicture(RgbImage picture, int imageSize, int compressRate) {
        return image.encodePicture(picture, imageSize, compressRate);
    }

    @Override
    public RgbImage decodeImage(TokenGrid grid, int compressRate) {
        return image.decode(grid, compressRate);
    }

    @Override
    public void close() {
        image.close();
    }
}
