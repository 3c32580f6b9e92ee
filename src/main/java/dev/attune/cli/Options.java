package dev.attune.cli;

import dev.attune.AttuneException;

/** Range checks for numeric command-line options, before any work starts. */
final class Options {
    private Options() {}

    static void requireRange(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new AttuneException(option + ": must be between " + min + " and " + max + " (got " + value + ")");
        }
    }

    static void requireRange(String option, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new AttuneException(option + ": must be between " + min + " and " + max + " (got " + value + ")");
        }
    }
}
