package dev.attune.cli;

import dev.attune.Predictor;
import picocli.CommandLine.Option;

/** The operating point a command classifies at: the model's own (calibration.json), a threshold, or a flag rate. */
final class DecisionOptions {
    @Option(names = "--threshold", description = "Predict the positive label (spam) when its calibrated probability exceeds this.")
    Double threshold;

    @Option(names = {"--max-flag-rate", "--max-ham-flag-rate"},
            description = "Choose the threshold that flags at most this fraction of the validation split's other (ham) examples, e.g. 0.01.")
    Double maxFlagRate;

    /** Checks the options before any work starts. */
    void validate() {
        if (threshold != null && maxFlagRate != null) throw new dev.attune.AttuneException("--threshold and --max-flag-rate: give one of them, not both");
        if (threshold != null) Options.requireRange("--threshold", threshold, 0, 1);
        if (maxFlagRate != null) Options.requireRange("--max-flag-rate", maxFlagRate, 0, 0.99);
    }

    void apply(Predictor predictor) {
        validate();
        if (threshold != null) predictor.withThreshold(threshold);
        if (maxFlagRate != null) predictor.withMaxFlagRate(maxFlagRate);
    }
}
