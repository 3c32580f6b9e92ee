package dev.attune.monitor;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tests whether recent inputs come from the same distribution as a reference sample, on the pooled encoder output:
 * the maximum mean discrepancy (MMD, Gretton et al., 2012) with a Gaussian kernel whose width is the median pairwise
 * distance, and a permutation test for its p-value, as Alibi Detect's MMDDrift does. Plain Java, no native code.
 */
public final class Drift {
    private Drift() {}

    /** The unbiased squared MMD, its permutation p-value, whether it is below {@code alpha}, and the kernel width used. */
    public record Result(double mmd2, double pValue, boolean alarm, double bandwidth, int permutations) {}

    /**
     * @param reference    vectors of the reference sample (m × d)
     * @param window       vectors of the recent window (k × d)
     * @param permutations random relabellings of the pooled sample for the p-value
     */
    public static Result mmd(float[][] reference, float[][] window, int permutations, long seed, double alpha) {
        int m = reference.length, k = window.length, n = m + k;
        if (m < 2 || k < 2) throw new IllegalArgumentException("the MMD needs at least two vectors on each side (got " + m + " and " + k + ")");
        float[][] z = new float[n][];
        System.arraycopy(reference, 0, z, 0, m);
        System.arraycopy(window, 0, z, m, k);
        int d = z[0].length;
        double[] dist = new double[n * n];
        double[] offDiagonal = new double[n * (n - 1) / 2];
        int at = 0;
        for (int i = 0; i < n; i++) {
            if (z[i].length != d) throw new IllegalArgumentException("vector " + i + " has " + z[i].length + " values, expected " + d);
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    double diff = z[i][c] - z[j][c];
                    s += diff * diff;
                }
                dist[i * n + j] = dist[j * n + i] = s;
                offDiagonal[at++] = s;
            }
        }
        Arrays.sort(offDiagonal);
        double median = offDiagonal[offDiagonal.length / 2];
        double width = median > 0 ? median : 1;                              // squared distance scale of the kernel
        double[] kernel = dist;                                                // reused in place: K = exp(-D / (2 σ²))
        for (int i = 0; i < kernel.length; i++) kernel[i] = Math.exp(-kernel[i] / (2 * width));
        boolean[] inWindow = new boolean[n];
        for (int i = m; i < n; i++) inWindow[i] = true;
        double observed = mmd2(kernel, n, inWindow, m, k);
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        int atLeast = 0;
        boolean[] shuffled = new boolean[n];
        for (int p = 0; p < permutations; p++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            Arrays.fill(shuffled, false);
            for (int i = m; i < n; i++) shuffled[order[i]] = true;
            if (mmd2(kernel, n, shuffled, m, k) >= observed) atLeast++;
        }
        double pValue = (1.0 + atLeast) / (1.0 + permutations);
        return new Result(observed, pValue, pValue < alpha, Math.sqrt(width), permutations);
    }

    /** Unbiased MMD² of the two groups {@code inWindow} splits the pooled sample into. */
    private static double mmd2(double[] kernel, int n, boolean[] inWindow, int m, int k) {
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < n; i++) {
            boolean wi = inWindow[i];
            int row = i * n;
            for (int j = i + 1; j < n; j++) {
                double v = kernel[row + j];
                if (wi == inWindow[j]) {
                    if (wi) yy += v;
                    else xx += v;
                } else {
                    xy += v;
                }
            }
        }
        return 2 * xx / ((double) m * (m - 1)) + 2 * yy / ((double) k * (k - 1)) - 2 * xy / ((double) m * k);
    }

    /**
     * Population stability index of an observed class mix against the expected one, each a map from label to
     * fraction: Σ (o − e) ln(o / e), with fractions floored at 1e-4 so an empty class stays finite. Below 0.1 is
     * usually read as stable, above 0.25 as a large shift.
     */
    public static double populationStabilityIndex(Map<String, Double> expected, Map<String, Double> observed) {
        double psi = 0;
        for (String label : expected.keySet()) {
            double e = Math.max(1e-4, expected.get(label)), o = Math.max(1e-4, observed.getOrDefault(label, 0.0));
            psi += (o - e) * Math.log(o / e);
        }
        return psi;
    }
}
