package org.cogview2.tokenizer.icetk.training;

import org.cogview2.tokenizer.icetk.IceTextTokenizer;

/**
 * A trained {@code ice_text.model}.
 *
 * @param bytes     the file's bytes
 * @param pieces    its piece count (before icetk appends its three special pieces)
 * @param sentences corpus lines spm_train was given (blank sentences are dropped)
 * @param tokenizer the model loaded as icetk loads it, special pieces appended
 */
public record TrainedTextModel(byte[] bytes, int pieces, int sentences, IceTextTokenizer tokenizer) {

    public TrainedTextModel {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
