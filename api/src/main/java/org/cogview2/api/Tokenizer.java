package org.cogview2.api;

import java.util.List;

/**
 * The ICE tokenizer: one id space for images and text. Ids {@code 0 .. 19999} are image tokens (VQ-VAE codes);
 * text ids are SentencePiece ids + 20000, followed by the three {@link SpecialToken}s.
 */
public interface Tokenizer {

    /** Number of image tokens; text ids start here. */
    int IMAGE_TOKENS = 20000;

    /** ICE ids of {@code text} ({@code icetk.encode(text)}); a line break is normalised like a space. */
    int[] encode(String text);

    /**
     * ICE ids of {@code text}; with {@code linebreaksAsTokens} every {@code "\n"} becomes the {@code <n>} piece
     * ({@code icetk.encode(text, ignore_linebreak=False)}).
     */
    int[] encode(String text, boolean linebreaksAsTokens);

    /** The SentencePiece pieces of {@code text} ({@code icetk.tokenize(text)}). */
    List<String> tokenize(String text);

    /** Text of ICE text ids ({@code icetk.decode(text_ids=...)}); {@code <n>} pieces become line breaks. */
    String decode(int[] textIds);

    /** The ICE id of a piece or of an {@code <image_N>} name; unknown pieces map to the {@code <unk>} id. */
    int tokenId(String piece);

    /** The piece of an ICE id, or {@code <image_N>} for image ids. */
    String tokenName(int id);

    /** The ICE id of a special token. */
    int specialTokenId(SpecialToken token);

    /** Total ids: 20000 image tokens + text pieces (including the special tokens). */
    int vocabularySize();

    /**
     * Image tokens of a picture at compress rate 4, 8 or 16 (a 160x160 picture at rate 8 gives a 20x20 grid).
     * Width and height must be equal and divisible by the rate.
     */
    TokenGrid encodeImage(RgbImage image, int compressRate);

    /**
     * Image tokens of a picture of any size, as icetk encodes a PIL picture with {@code image_size}: the 8-bit picture
     * is resized (shorter side to {@code imageSize}, bilinear) and centre-cropped to {@code imageSize} square first.
     */
    TokenGrid encodePicture(RgbImage picture, int imageSize, int compressRate);

    /** The picture of a token grid at compress rate 4, 8 or 16 (a 20x20 grid at rate 8 gives 160x160 pixels). */
    RgbImage decodeImage(TokenGrid grid, int compressRate);
}
