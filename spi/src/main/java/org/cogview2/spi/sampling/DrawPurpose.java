package org.cogview2.spi.sampling;

/** What a random draw decides; part of the draw's counter so that different decisions never share a number. */
public enum DrawPurpose {
    /** Stage 1 and DSR: which of the top clusters to sample from. */
    CLUSTER,
    /** The token itself. */
    TOKEN
}
