package dev.attune;

import java.util.Arrays;

/**
 * Mean and standard deviation, in the two forms attune needs: the population form (divide by n) describes a set
 * measured completely, such as α over all matrices of a model; the sample form (divide by n − 1) estimates the
 * spread of a quantity from a few draws, such as a speed-up over seeds. NaN for no values; the sample form of one
 * value has standard deviation 0.
 */
public record MeanStd(double mean, double std) {
    public static MeanStd population(double[] v) {
        return of(v, v.length);
    }

    public static MeanStd sample(double[] v) {
        return of(v, v.length - 1);
    }

    private static MeanStd of(double[] v, int divisor) {
        if (v.length == 0) return new MeanStd(Double.NaN, Double.NaN);
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        double squares = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        return new MeanStd(mean, divisor < 1 ? 0 : Math.sqrt(squares / divisor));
    }
}
