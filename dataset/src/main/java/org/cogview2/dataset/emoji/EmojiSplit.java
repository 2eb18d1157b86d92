package org.cogview2.dataset.emoji;

import org.cogview2.dataset.ManifestEntry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The fixed train / held-out split of the emoji set, decided per emoji, not per picture, so every style of a held-out
 * emoji is held out and a model is never tested on an emoji it saw drawn in another style.
 *
 * <p>Rule: take the SHA-256 of the UTF-8 bytes of {@code "cogview2-emoji-split-v1:" + hexcode} (emojibase's hexcode as
 * it is, upper case, e.g. {@code 1F42F}); read its first 8 bytes as a big-endian unsigned 64-bit number; if that
 * number mod 100 is below 5 the emoji is held out, otherwise it is for training. About 5% of the emoji are held out,
 * the same ones on every machine and in every build, and adding emoji never moves an old one across.
 */
public final class EmojiSplit {

    /** Salt in front of the hexcode; a new version of the rule gets a new salt. */
    public static final String SALT = "cogview2-emoji-split-v1:";
    /** Share of the emoji held out, in percent. */
    public static final int HELDOUT_PERCENT = 5;

    private EmojiSplit() {
    }

    /** {@link ManifestEntry#HELDOUT} or {@link ManifestEntry#TRAIN} for an emoji. */
    public static String of(String hexcode) {
        return bucket(hexcode) < HELDOUT_PERCENT ? ManifestEntry.HELDOUT : ManifestEntry.TRAIN;
    }

    /** The emoji's bucket, 0 to 99. */
    static int bucket(String hexcode) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest((SALT + hexcode).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
        long first8 = ByteBuffer.wrap(digest, 0, 8).getLong();
        return (int) Long.remainderUnsigned(first8, 100);
    }
}
