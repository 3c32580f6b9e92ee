package dev.attune.train;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Temperature scaling, calibration error and flag-rate thresholds on inputs with known answers. */
class CalibrationTest {

    /** Labels drawn from softmax(z / T) while the model reports softmax(z): the fitted temperature must be T. */
    @Test
    void recoversTheTemperatureThatGeneratedTheLabels() {
        for (double trueT : new double[] {0.5, 1.0, 2.5}) {
            Random r = new Random(11);
            int n = 40_000;
            float[][] p = new float[n][];
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                double z = 3 * r.nextGaussian();
                p[i] = new float[] {(float) (1 / (1 + Math.exp(z))), (float) (1 / (1 + Math.exp(-z)))};
                y[i] = r.nextDouble() < 1 / (1 + Math.exp(-z / trueT)) ? 1 : 0;
            }
            double t = Calibration.fitTemperature(p, y);
            // the maximum-likelihood estimate's sampling error at n = 40000 is under 2%; 5% is the margin
            assertEquals(trueT, t, 0.05 * trueT, "fitted temperature for T = " + trueT);
            Calibration c = Calibration.fit(p, y, List.of("ham", "spam"), 1, true);
            if (trueT != 1.0) assertTrue(c.eceAfter() < c.eceBefore() / 2, "ECE " + c.eceBefore() + " -> " + c.eceAfter());
        }
    }

    @Test
    void expectedCalibrationErrorByHand() {
        // two examples at confidence 0.9 (one right) and two at 0.6 (both right), 15 bins:
        // bin of 0.9: |0.5 - 0.9| · 2/4 = 0.2; bin of 0.6: |1 - 0.6| · 2/4 = 0.2
        float[][] p = {{0.9f, 0.1f}, {0.9f, 0.1f}, {0.4f, 0.6f}, {0.4f, 0.6f}};
        long[] y = {0, 1, 1, 1};
        assertEquals(0.4, Calibration.ece(p, y, 15), 1e-6);
        float[] scaled = Calibration.scaleRow(new float[] {0.25f, 0.75f}, 0.5);    // log-odds ln 3 doubled: 9 : 1
        assertArrayEquals(new float[] {0.1f, 0.9f}, scaled, 1e-6f);
    }

    @Test
    void thresholdFlagsAtMostTheToleratedShareOfTheOtherClass() {
        // ten ham scored 0.05 .. 0.95, one spam
        float[][] p = new float[11][];
        long[] y = new long[11];
        for (int i = 0; i < 10; i++) p[i] = new float[] {1 - (0.05f + 0.1f * i), 0.05f + 0.1f * i};
        p[10] = new float[] {0.01f, 0.99f};
        y[10] = 1;
        Calibration c = Calibration.fit(p, y, List.of("ham", "spam"), 1, false);
        assertEquals(10, c.negativeScores().length);
        assertEquals(0.95, c.threshold(0.0), 1e-6);      // nothing above the highest ham score
        assertEquals(0.85, c.threshold(0.1), 1e-6);      // one ham (0.95) above
        assertEquals(0.75, c.threshold(0.25), 1e-6);     // ⌊2.5⌋ = 2 ham above
        assertEquals(0.2, c.flagRate(c.threshold(0.25)), 1e-9);
        assertEquals(1, Calibration.decide(new float[] {0.1f, 0.9f}, 1, 0.85));
        assertEquals(0, Calibration.decide(new float[] {0.2f, 0.8f}, 1, 0.85));
        assertEquals(1, Calibration.decide(new float[] {0.2f, 0.8f}, 1, Double.NaN)); // no threshold: most probable
        OperatingPoint op = OperatingPoint.forFlagRate(c, 0.1);
        ClassificationMetrics m = op.evaluate(p, y, List.of("ham", "spam"));
        assertEquals(1, m.confusion()[0][1], "one ham flagged");
        assertEquals(1.0, m.perClass().get("spam").recall());
    }
}
