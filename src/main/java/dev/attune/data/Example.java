package dev.attune.data;

/**
 * One labelled text; {@code group} is an optional sub-population (for example SpamAssassin's hard-ham);
 * {@code line} is where it starts in its file (for messages), 0 when it did not come from a file.
 */
public record Example(String text, String label, String group, int line) {}
