package dev.attune.train;

import java.util.List;

/**
 * How a model's probabilities become a label: its calibration (temperature, validation scores) and, for two
 * classes, a threshold on the positive label's calibrated probability, given directly or as the flag rate it allows on
 * the validation split's other examples. Without a threshold (NaN), the most probable label wins.
 */
public record OperatingPoint(Calibration calibration, double maxFlagRate, double threshold) {

    /**
     * Fits the calibration on validation probabilities and labels, with the threshold for {@code maxFlagRate} when it
     * is positive, else the argmax decision.
     */
    public static OperatingPoint fit(float[][] probabilities, long[] truth, List<String> labels, int positiveIndex,
                                     boolean temperatureScaling, double maxFlagRate) {
        Calibration c = Calibration.fit(probabilities, truth, labels, positiveIndex, temperatureScaling);
        return maxFlagRate > 0 ? forFlagRate(c, maxFlagRate) : argmax(c);
    }

    /** The positive label's index: {@code name}'s, the second label when {@code name} is null or empty, -1 if unknown. */
    public static int positiveIndex(String name, List<String> labels) {
        return name == null || name.isEmpty() ? Math.min(1, labels.size() - 1) : labels.indexOf(name);
    }

    /** Calibrated probabilities with the most probable label: the argmax decision. */
    public static OperatingPoint argmax(Calibration calibration) {
        return new OperatingPoint(calibration, Double.NaN, Double.NaN);
    }

    /** The threshold at which at most {@code rate} of the validation split's other examples are flagged. */
    public static OperatingPoint forFlagRate(Calibration calibration, double rate) {
        return new OperatingPoint(calibration, rate, calibration.threshold(rate));
    }

    public static OperatingPoint atThreshold(Calibration calibration, double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in [0, 1] (got " + threshold + ")");
        return new OperatingPoint(calibration, calibration.flagRate(threshold), threshold);
    }

    public boolean thresholded() {
        return !Double.isNaN(threshold);
    }

    public float[][] calibrate(float[][] probabilities) {
        return Calibration.scale(probabilities, calibration.temperature());
    }

    /** The label id of each row at {@code point}, or its most probable label when {@code point} is null. */
    public static int[] decisions(OperatingPoint point, float[][] probabilities) {
        if (point != null) return point.decide(probabilities);
        int[] out = new int[probabilities.length];
        for (int i = 0; i < out.length; i++) out[i] = ClassificationMetrics.argmax(probabilities[i]);
        return out;
    }

    /** The label id of each calibrated row. */
    public int[] decide(float[][] calibrated) {
        int[] out = new int[calibrated.length];
        for (int i = 0; i < out.length; i++) out[i] = Calibration.decide(calibrated[i], calibration.positiveIndex(), threshold);
        return out;
    }

    /** Metrics of raw model probabilities at this operating point (loss of the calibrated probabilities). */
    public ClassificationMetrics evaluate(float[][] probabilities, long[] truth, List<String> labels) {
        float[][] p = calibrate(probabilities);
        return ClassificationMetrics.of(p, truth, labels, decide(p));
    }
}
