package dev.attune.spectral;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known answers for the spectral library: synthetic spectra with a known exponent, noise, and exact small cases. */
class PowerLawTest {
    static final EigenSolver EJML = new EjmlEigenSolver();

    /**
     * A matrix W = Q·diag(s) with Q orthogonal (from the QR of a Gaussian matrix), so the eigenvalues of WᵀW are
     * exactly s², drawn from a Pareto law with density ∝ λ^(−α) for λ ≥ 1.
     */
    static float[] matrixWithParetoSpectrum(int n, double alpha, long seed) {
        Random r = new Random(seed);
        var g = new org.ejml.data.DMatrixRMaj(n, n);
        for (int i = 0; i < n * n; i++) g.data[i] = r.nextGaussian();
        var qr = org.ejml.dense.row.factory.DecompositionFactory_DDRM.qr(n, n);
        qr.decompose(g);
        var q = qr.getQ(null, false);
        float[] w = new float[n * n];
        for (int j = 0; j < n; j++) {
            double lambda = Math.pow(1 - r.nextDouble(), -1.0 / (alpha - 1)); // inverse CDF of the Pareto law
            double s = Math.sqrt(lambda);
            for (int i = 0; i < n; i++) w[i * n + j] = (float) (q.get(i, j) * s);
        }
        return w;
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.0, 3.0, 4.0})
    void recoversTheExponentOfAParetoSpectrum(double alpha) {
        int n = 600;
        float[] w = matrixWithParetoSpectrum(n, alpha, 11 + (long) alpha);
        var base = SpectralAnalyzer.Options.defaults();
        LayerSpectrum ks = new SpectralAnalyzer(EJML, base.withEstimator(PowerLaw.Estimator.KS)).analyze(new SpectralAnalyzer.Matrix("w", n, n, w));
        LayerSpectrum mid = new SpectralAnalyzer(EJML, base).analyze(new SpectralAnalyzer.Matrix("w", n, n, w));
        assertEquals(n, ks.eigenvalues());
        assertEquals(alpha, ks.alpha(), 0.15, "ks");
        assertEquals(alpha, mid.alpha(), 0.3, "xmin_mid");
        LayerSpectrum peak = new SpectralAnalyzer(EJML, base.withEstimator(PowerLaw.Estimator.XMIN_PEAK)).analyze(new SpectralAnalyzer.Matrix("w", n, n, w));
        assertTrue(peak.fitted() && peak.alpha() > 1);
    }

    @Test
    void gaussianNoiseStaysInsideTheMarchenkoPasturBulkAndIsFlaggedRandomLike() {
        int rows = 1000, cols = 500;
        Random r = new Random(5);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        double[] ev = EJML.gramEigenvalues(w, rows, cols);
        double lo = Math.pow(Math.sqrt(rows) - Math.sqrt(cols), 2), hi = Math.pow(Math.sqrt(rows) + Math.sqrt(cols), 2);
        for (double v : ev) assertTrue(v > lo * 0.97 && v < hi * 1.03, "eigenvalue " + v + " outside [" + lo + ", " + hi + "]");
        for (PowerLaw.Estimator e : PowerLaw.Estimator.values()) {
            LayerSpectrum s = SpectralAnalyzer.fromEigenvalues("noise", rows, cols, ev, SpectralAnalyzer.Options.defaults().withEstimator(e));
            // Clauset's scan finds the bulk's steep upper edge; xmin_mid and xmin_peak put xmin inside the bounded
            // bulk and read it as α ≈ 3, so the random-like flag also looks at the Marchenko–Pastur soft rank
            if (e == PowerLaw.Estimator.KS) assertTrue(s.alpha() > 5, e + ": alpha " + s.alpha());
            assertTrue(s.randomLike(), e + " flags noise as random-like");
            assertEquals(1.0, s.mpSoftRank(), 0.05, "λ_max sits at the bulk edge");
        }
    }

    @Test
    void identityHasExactNormsAndStableRank() {
        int n = 64;
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) w[i * n + i] = 1;
        LayerSpectrum s = new SpectralAnalyzer(EJML, SpectralAnalyzer.Options.defaults()).analyze(new SpectralAnalyzer.Matrix("eye", n, n, w));
        assertEquals(1.0, s.lambdaMax(), 1e-12);
        assertEquals(0.0, s.log10SpectralNorm(), 1e-12);
        assertEquals(Math.log10(n), s.log10Frobenius(), 1e-12);
        assertEquals(n, s.stableRank(), 1e-9);
    }

    @Test
    void rankOneMatrixHasStableRankOneAndIsSkippedForTooFewEigenvalues() {
        int rows = 80, cols = 60;
        float[] w = new float[rows * cols];
        double uu = 0, vv = 0;
        for (int i = 0; i < rows; i++) uu += (i + 1.0) * (i + 1.0);
        for (int j = 0; j < cols; j++) vv += (j % 3 + 1.0) * (j % 3 + 1.0);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) w[i * cols + j] = (float) ((i + 1.0) * (j % 3 + 1.0));
        LayerSpectrum s = new SpectralAnalyzer(EJML, SpectralAnalyzer.Options.defaults()).analyze(new SpectralAnalyzer.Matrix("uv", rows, cols, w));
        assertEquals(uu * vv, s.lambdaMax(), uu * vv * 1e-9);
        assertEquals(1.0, s.stableRank(), 1e-6);
        assertFalse(s.fitted());
        assertTrue(s.skipped().startsWith("only 1 eigenvalues"), s.skipped());
    }

    @Test
    void diagonalMatrixHasItsSquaredEntriesAsEigenvalues() {
        int n = 100;
        float[] w = new float[n * n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i * n + i] = i + 1;
            sum += (i + 1.0) * (i + 1.0);
        }
        double[] ev = EJML.gramEigenvalues(w, n, n);
        for (int i = 0; i < n; i++) assertEquals((i + 1.0) * (i + 1.0), ev[i], 1e-9);
        LayerSpectrum s = SpectralAnalyzer.fromEigenvalues("d", n, n, ev, SpectralAnalyzer.Options.defaults());
        assertEquals(sum / (n * n), s.stableRank(), 1e-9);
        assertEquals(Math.log10(sum), s.log10Frobenius(), 1e-12);
        assertEquals(2 * Math.log10(n), s.log10SpectralNorm(), 1e-12);
        assertEquals(s.alpha() * s.log10SpectralNorm(), s.alphaWeighted(), 1e-12);
        // xmin_mid: xmin is the eigenvalue at index N/2 and the Hill formula over the top half
        double xmin = ev[n / 2], logSum = 0;
        for (int i = n / 2; i < n; i++) logSum += Math.log(ev[i] / xmin);
        assertEquals(1 + (n - n / 2) / logSum, s.alpha(), 1e-12);
        assertEquals(xmin, s.xmin(), 0);
        assertEquals(n - n / 2, s.nTail());
    }

    @Test
    void ksScanMatchesTheQuadraticReferenceScan() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 60 + r.nextInt(400);
            double[] ev = new double[n];
            for (int i = 0; i < n; i++) ev[i] = Math.exp(r.nextGaussian() * 2) + (r.nextBoolean() ? Math.pow(1 - r.nextDouble(), -0.5) : 0);
            java.util.Arrays.sort(ev);
            PowerLawFit fast = PowerLaw.ks(ev);
            // reference: every candidate, every point
            double bestD = Double.POSITIVE_INFINITY, bestAlpha = Double.NaN;
            for (int i = 0; i < n - 1; i++) {
                int m = n - i;
                double s = 0;
                for (int j = i; j < n; j++) s += Math.log(ev[j] / ev[i]);
                double a = 1 + m / s;
                if (!(a > 1)) continue;
                double d = 0;
                for (int k = 0; k < m; k++) d = Math.max(d, Math.abs(1 - Math.pow(ev[i + k] / ev[i], 1 - a) - (double) k / m));
                if (d < bestD) {
                    bestD = d;
                    bestAlpha = a;
                }
            }
            assertEquals(bestD, fast.ksDistance(), 1e-12);
            assertEquals(bestAlpha, fast.alpha(), 1e-9 * bestAlpha);
        }
    }

    @Test
    void summarizesAlphaPerBlockAndOverall() {
        var opts = SpectralAnalyzer.Options.defaults();
        double[] ev = new double[100];
        for (int i = 0; i < 100; i++) ev[i] = i + 1;
        var a = SpectralAnalyzer.fromEigenvalues("encoder.layer.0.attention.self.query.weight", 100, 100, ev, opts);
        var b = SpectralAnalyzer.fromEigenvalues("encoder.layer.1.output.dense.weight", 100, 100, ev, opts);
        var sum = SpectralAnalyzer.summarize(List.of(a, b));
        assertEquals(List.of("encoder.layer.0", "encoder.layer.1"), List.copyOf(sum.perBlock().keySet()));
        assertEquals(a.alpha(), sum.meanAlpha(), 1e-12);
        assertEquals(0, sum.stdAlpha(), 1e-12);
    }
}
