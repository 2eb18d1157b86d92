package org.cogview2.cli.input;

/**
 * One line of an input source, whitespace-stripped as the official {@code generate_continually} strips it.
 *
 * @param number the line's 1-based number in the file or on standard input (blank lines count), for messages
 * @param text   the stripped text, never empty
 */
public record InputLine(int number, String text) {
}
