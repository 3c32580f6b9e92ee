package dev.attune.monitor;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MMD drift test against a direct evaluation of its formula, and its error rates on synthetic Gaussians. */
class DriftTest {
    static float[][] gaussian(Random r, int n, int d, double shift) {
        float[][] x = new float[n][d];
        for (float[] row : x) for (int c = 0; c < d; c++) row[c] = (float) (r.nextGaussian() + shift);
        return x;
    }

    /** MMD² straight from its definition: mean kernel within each group over i ≠ j, minus twice the mean across. */
    static double direct(float[][] x, float[][] y, double sigma2) {
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < x.length; i++) for (int j = 0; j < x.length; j++) if (i != j) xx += k(x[i], x[j], sigma2);
        for (int i = 0; i < y.length; i++) for (int j = 0; j < y.length; j++) if (i != j) yy += k(y[i], y[j], sigma2);
        for (float[] a : x) for (float[] b : y) xy += k(a, b, sigma2);
        int m = x.length, n = y.length;
        return xx / (m * (m - 1.0)) + yy / (n * (n - 1.0)) - 2 * xy / ((double) m * n);
    }

    static double k(float[] a, float[] b, double sigma2) {
        double s = 0;
        for (int c = 0; c < a.length; c++) s += (a[c] - b[c]) * (double) (a[c] - b[c]);
        return Math.exp(-s / (2 * sigma2));
    }

    @Test
    void statisticEqualsTheDefinition() {
        Random r = new Random(3);
        float[][] x = gaussian(r, 30, 5, 0), y = gaussian(r, 20, 5, 0.5);
        Drift.Result res = Drift.mmd(x, y, 0, 1, 0.01);
        double sigma2 = res.bandwidth() * res.bandwidth();
        assertEquals(direct(x, y, sigma2), res.mmd2(), 1e-12);
        assertEquals(1.0, res.pValue(), 0.0, "no permutations: p = 1");
    }

    @Test
    void sameDistributionRarelyAlarmsAndAShiftAlwaysDoes() {
        Random r = new Random(11);
        float[][] reference = gaussian(r, 500, 32, 0);
        int alarms = 0;
        for (int w = 0; w < 20; w++) if (Drift.mmd(reference, gaussian(r, 200, 32, 0), 200, w, 0.01).alarm()) alarms++;
        // at alpha 0.01 the expected count is 0.2; two or more happens with probability 0.017
        assertTrue(alarms <= 1, alarms + " false alarms in 20 in-distribution windows");
        for (int w = 0; w < 5; w++) {
            Drift.Result shifted = Drift.mmd(reference, gaussian(r, 200, 32, 0.25), 200, w, 0.01);
            assertTrue(shifted.alarm(), "a 0.25 sd shift in every coordinate: p = " + shifted.pValue());
            assertEquals(1.0 / 201, shifted.pValue(), 1e-12, "no permutation reaches the observed statistic");
        }
    }

    @Test
    void populationStabilityIndexHasItsKnownValues() {
        assertEquals(0.2 * Math.log(1.4) + 0.2 * Math.log(0.5 / 0.3), Drift.populationStabilityIndex(Map.of("a", 0.5, "b", 0.5), Map.of("a", 0.7, "b", 0.3)), 1e-12);
        assertEquals(0.0, Drift.populationStabilityIndex(Map.of("a", 0.25, "b", 0.75), Map.of("a", 0.25, "b", 0.75)), 0.0);
        assertFalse(Double.isInfinite(Drift.populationStabilityIndex(Map.of("a", 0.5, "b", 0.5), Map.of("a", 1.0))));
    }
}
