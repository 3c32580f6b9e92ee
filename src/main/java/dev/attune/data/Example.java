package dev.attune.data;

/** One labelled text; {@code group} is an optional sub-population (for example SpamAssassin's hard-ham). */
public record Example(String text, String label, String group) {}
