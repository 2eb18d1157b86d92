package org.cogview2.api;

/** A tokenizer that holds resources (the image codec's weights on a backend). */
public interface ClosableTokenizer extends Tokenizer, AutoCloseable {

    @Override
    void close();
}
