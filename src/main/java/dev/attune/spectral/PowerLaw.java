package dev.attune.spectral;

import java.util.Arrays;

/**
 * Estimators of the power-law exponent α of an eigenvalue spectrum's tail, all maximum likelihood (the continuous
 * Hill estimator α = 1 + n / Σ ln(λ_j / xmin)), differing in how xmin is chosen:
 * <ul>
 *   <li>{@code xmin_mid}: xmin at position N/2 of the sorted spectrum (TempBalance's default);</li>
 *   <li>{@code ks}: every eigenvalue is a candidate; keep the one whose fit has the smallest KS distance
 *       (Clauset, Shalizi and Newman);</li>
 *   <li>{@code xmin_peak}: the {@code ks} scan restricted to candidates near the peak of a histogram of log10 λ
 *       (WeightWatcher's remedy for spurious "fingers" at the top of the spectrum).</li>
 * </ul>
 * The KS distance follows the same convention everywhere: D = max_k |1 − (λ_k/xmin)^(1−α) − k/n| over the n tail
 * eigenvalues in ascending order, k = 0..n−1.
 */
public final class PowerLaw {
    public enum Estimator implements dev.attune.Choice {
        XMIN_MID, KS, XMIN_PEAK;

        public static Estimator parse(String s) {
            return switch (s) {
                case "xmin_mid" -> XMIN_MID;
                case "ks" -> KS;
                case "xmin_peak" -> XMIN_PEAK;
                default -> throw new IllegalArgumentException("unknown estimator '" + s + "' (xmin_mid, ks, xmin_peak)");
            };
        }

    }

    private PowerLaw() {}

    /** Fits sorted (ascending), strictly positive eigenvalues with the chosen estimator. */
    public static PowerLawFit fit(double[] sorted, Estimator estimator, double xminFraction, int histogramBins) {
        if (sorted.length < 2) throw new IllegalArgumentException("need at least 2 eigenvalues");
        return switch (estimator) {
            case XMIN_MID -> xminMid(sorted, xminFraction);
            case KS -> ks(sorted);
            case XMIN_PEAK -> xminPeak(sorted, histogramBins);
        };
    }

    /** xmin at index ⌊N · fraction⌋ (fraction 0.5: the median). */
    public static PowerLawFit xminMid(double[] sorted, double fraction) {
        int i = Math.min(sorted.length - 2, (int) (sorted.length * fraction));
        Scan s = new Scan(sorted);
        double alpha = s.alpha(i);
        return new PowerLawFit(alpha, sorted[i], s.n - i, s.distance(i, alpha), stderr(alpha, s.n - i));
    }

    /** Every eigenvalue but the largest as a candidate xmin; the smallest KS distance wins. */
    public static PowerLawFit ks(double[] sorted) {
        return scan(sorted, 0, sorted.length - 1);
    }

    /**
     * Candidates within ±5% of the left edge of the tallest bin of a {@code bins}-bin histogram of log10 λ
     * (at least the first eigenvalue at or above it).
     */
    public static PowerLawFit xminPeak(double[] sorted, int bins) {
        double lo = Math.log10(sorted[0]), hi = Math.log10(sorted[sorted.length - 1]);
        double width = (hi - lo) / bins;
        int[] counts = new int[bins];
        for (double v : sorted) {
            int b = width == 0 ? 0 : (int) ((Math.log10(v) - lo) / width);
            counts[Math.min(bins - 1, Math.max(0, b))]++;
        }
        int peak = 0;
        for (int b = 1; b < bins; b++) if (counts[b] > counts[peak]) peak = b;
        double edge = Math.pow(10, lo + peak * width);
        int from = lowerBound(sorted, 0.95 * edge), to = lowerBound(sorted, 1.05 * edge * (1 + 1e-12));
        from = Math.min(from, sorted.length - 2);
        to = Math.max(to, from + 1);
        return scan(sorted, from, Math.min(to, sorted.length - 1));
    }

    /** Index of the first element ≥ x. */
    private static int lowerBound(double[] sorted, double x) {
        int i = Arrays.binarySearch(sorted, x);
        if (i < 0) return -i - 1;
        while (i > 0 && sorted[i - 1] == x) i--;
        return i;
    }

    /** The smallest-D fit over candidate indices [from, to). */
    private static PowerLawFit scan(double[] sorted, int from, int to) {
        Scan s = new Scan(sorted);
        double bestD = Double.POSITIVE_INFINITY, bestAlpha = Double.NaN;
        int best = -1;
        for (int i = from; i < to; i++) {
            double alpha = s.alpha(i);
            if (!(alpha > 1)) continue;
            double d = s.distance(i, alpha);
            if (d < bestD) {
                bestD = d;
                bestAlpha = alpha;
                best = i;
            }
        }
        if (best < 0) { // degenerate (all equal): report the first candidate
            best = from;
            bestAlpha = s.alpha(from);
            bestD = 1;
        }
        return new PowerLawFit(bestAlpha, sorted[best], s.n - best, bestD, stderr(bestAlpha, s.n - best));
    }

    private static double stderr(double alpha, int n) {
        return (alpha - 1) / Math.sqrt(n);
    }

    /**
     * Shared work for one spectrum: logs and their suffix sums, so α for any candidate costs O(1); the KS distance
     * of a candidate is found by branch and bound over index ranges, which is exact (both CDFs are monotone, so a
     * range [a, b] cannot beat max(F(b) − a/n, b/n − F(a))) and skips most of the tail in practice.
     */
    private static final class Scan {
        final double[] lambda, log;
        final double[] suffix; // suffix[i] = Σ_{j ≥ i} ln λ_j
        final int n;

        Scan(double[] sorted) {
            lambda = sorted;
            n = sorted.length;
            log = new double[n];
            suffix = new double[n + 1];
            for (int i = 0; i < n; i++) log[i] = Math.log(sorted[i]);
            for (int i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + log[i];
        }

        double alpha(int i) {
            int m = n - i;
            double denom = suffix[i] - m * log[i];
            return denom <= 0 ? Double.POSITIVE_INFINITY : 1 + m / denom;
        }

        /** The KS distance of the fit with xmin = λ_i and exponent α. */
        double distance(int i, double alpha) {
            int m = n - i;
            double[] best = {0};
            search(i, 0, m - 1, m, alpha, best);
            return best[0];
        }

        private double cdf(int i, int k, double alpha) {
            return 1 - Math.exp((1 - alpha) * (log[i + k] - log[i]));
        }

        private void search(int i, int a, int b, int m, double alpha, double[] best) {
            if (b - a < 16) {
                for (int k = a; k <= b; k++) best[0] = Math.max(best[0], Math.abs(cdf(i, k, alpha) - (double) k / m));
                return;
            }
            double fa = cdf(i, a, alpha), fb = cdf(i, b, alpha);
            double bound = Math.max(fb - (double) a / m, (double) b / m - fa);
            best[0] = Math.max(best[0], Math.max(Math.abs(fa - (double) a / m), Math.abs(fb - (double) b / m)));
            if (bound <= best[0]) return;
            int mid = (a + b) >>> 1;
            search(i, a, mid, m, alpha, best);
            search(i, mid + 1, b, m, alpha, best);
        }
    }
}
