package org.cogview2.tokenizer.icetk.text;

/** A piece of the normalised text: bytes {@code [start, end)} and the vocabulary id they map to. */
record Segment(int start, int end, int id) {
}
