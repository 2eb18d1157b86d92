package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.CogView2Exception;

/** Training the text tokenizer failed: the trainer is missing or failed, or what it wrote is not usable as icetk's model. */
public class TokenizerTrainingException extends CogView2Exception {

    public TokenizerTrainingException(String message) {
        super(message);
    }

    public TokenizerTrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
