package dev.attune.train;

import java.util.Arrays;
import java.util.List;

/**
 * Temperature scaling (Guo et al., 2017) and a decision threshold for a two-class model, fitted on validation
 * predictions: the temperature T that minimises the cross-entropy of softmax(log p / T), the expected calibration
 * error (15 equal-width confidence bins) before and after, and for the positive label the calibrated scores of the
 * validation split's other examples, from which the threshold for any tolerated flag rate follows. Pure arithmetic.
 *
 * @param negativeScores calibrated positive-label probabilities of the validation examples of the other class(es),
 *                       ascending; empty for more than two labels
 */
public record Calibration(double temperature, String positiveLabel, int positiveIndex, double eceBefore, double eceAfter,
                          int validationExamples, double[] negativeScores) {
    public static final int ECE_BINS = 15;
    private static final double MIN_T = 0.05, MAX_T = 20;

    /** Fits on probabilities (N, C) and true label ids; {@code positiveIndex} is the flagged label (two classes). */
    public static Calibration fit(float[][] probabilities, long[] truth, List<String> labels, int positiveIndex, boolean scaleTemperature) {
        if (probabilities.length == 0) throw new IllegalArgumentException("no validation examples to calibrate on");
        double t = scaleTemperature ? fitTemperature(probabilities, truth) : 1.0;
        float[][] scaled = scale(probabilities, t);
        double[] negatives = new double[0];
        if (labels.size() == 2) {
            negatives = java.util.stream.IntStream.range(0, truth.length).filter(i -> truth[i] != positiveIndex)
                    .mapToDouble(i -> scaled[i][positiveIndex]).sorted().toArray();
        }
        return new Calibration(t, labels.get(positiveIndex), positiveIndex, ece(probabilities, truth, ECE_BINS),
                ece(scaled, truth, ECE_BINS), truth.length, negatives);
    }

    /** softmax(log p / T) per row: the same ranking and argmax, sharper (T < 1) or softer (T > 1). */
    public static float[][] scale(float[][] probabilities, double temperature) {
        float[][] out = new float[probabilities.length][];
        for (int i = 0; i < probabilities.length; i++) out[i] = scaleRow(probabilities[i], temperature);
        return out;
    }

    public static float[] scaleRow(float[] p, double temperature) {
        double[] z = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < p.length; k++) {
            z[k] = Math.log(Math.max(p[k], 1e-30)) / temperature;
            max = Math.max(max, z[k]);
        }
        double sum = 0;
        for (int k = 0; k < p.length; k++) sum += z[k] = Math.exp(z[k] - max);
        float[] out = new float[p.length];
        for (int k = 0; k < p.length; k++) out[k] = (float) (z[k] / sum);
        return out;
    }

    /** Mean cross-entropy of the scaled probabilities. */
    static double nll(float[][] p, long[] truth, double temperature) {
        double loss = 0;
        for (int i = 0; i < p.length; i++) loss -= Math.log(Math.max(scaleRow(p[i], temperature)[(int) truth[i]], 1e-30));
        return loss / p.length;
    }

    /** The temperature in [0.05, 20] with the least validation cross-entropy: golden-section search on log T. */
    public static double fitTemperature(float[][] p, long[] truth) {
        double a = Math.log(MIN_T), b = Math.log(MAX_T), g = (Math.sqrt(5) - 1) / 2;
        double c = b - g * (b - a), d = a + g * (b - a);
        double fc = nll(p, truth, Math.exp(c)), fd = nll(p, truth, Math.exp(d));
        for (int it = 0; it < 60 && b - a > 1e-5; it++) {
            if (fc <= fd) {
                b = d; d = c; fd = fc;
                c = b - g * (b - a); fc = nll(p, truth, Math.exp(c));
            } else {
                a = c; c = d; fc = fd;
                d = a + g * (b - a); fd = nll(p, truth, Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /**
     * Expected calibration error: the examples binned by their top probability into {@code bins} equal-width bins,
     * the mean |accuracy − confidence| of the bins weighted by their share of examples.
     */
    public static double ece(float[][] p, long[] truth, int bins) {
        double[] conf = new double[bins], correct = new double[bins];
        int[] count = new int[bins];
        for (int i = 0; i < p.length; i++) {
            int pred = ClassificationMetrics.argmax(p[i]);
            double c = p[i][pred];
            int bin = Math.min(bins - 1, (int) (c * bins));
            conf[bin] += c;
            correct[bin] += pred == truth[i] ? 1 : 0;
            count[bin]++;
        }
        double e = 0;
        for (int b = 0; b < bins; b++) if (count[b] > 0) e += Math.abs(correct[b] - conf[b]) / p.length;
        return e;
    }

    /**
     * The positive-label probability above which an example is flagged so that at most {@code maxFlagRate} of the
     * validation split's other examples would be: the (k+1)-th highest of their scores, k = ⌊rate · n⌋.
     */
    public double threshold(double maxFlagRate) {
        if (negativeScores.length == 0) throw new IllegalStateException("a flag-rate threshold needs a two-class model");
        if (!(maxFlagRate >= 0 && maxFlagRate < 1)) throw new IllegalArgumentException("flag rate must be in [0, 1) (got " + maxFlagRate + ")");
        int n = negativeScores.length, k = (int) Math.floor(maxFlagRate * n + 1e-9);
        return k >= n ? 0 : negativeScores[n - 1 - k];
    }

    /** The fraction of the validation split's other examples scored above {@code threshold}. */
    public double flagRate(double threshold) {
        int above = 0;
        for (double s : negativeScores) if (s > threshold) above++;
        return negativeScores.length == 0 ? Double.NaN : (double) above / negativeScores.length;
    }

    /**
     * The label index for a calibrated row: with a threshold (two classes), the positive label when its probability
     * exceeds it, else the other; without one (NaN), the most probable label.
     */
    public static int decide(float[] calibrated, int positiveIndex, double threshold) {
        if (Double.isNaN(threshold) || calibrated.length != 2) return ClassificationMetrics.argmax(calibrated);
        return calibrated[positiveIndex] > threshold ? positiveIndex : 1 - positiveIndex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Calibration c && c.temperature == temperature && c.positiveLabel.equals(positiveLabel)
                && c.positiveIndex == positiveIndex && c.validationExamples == validationExamples && Arrays.equals(c.negativeScores, negativeScores);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(temperature) * 31 + Arrays.hashCode(negativeScores);
    }
}
