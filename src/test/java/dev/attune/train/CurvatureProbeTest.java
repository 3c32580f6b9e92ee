package dev.attune.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The curvature rule on losses with a known answer. */
class CurvatureProbeTest {
    @Test
    void aParabolaThroughThreeLossesHasItsMinimumWhereTheFormulaSays() {
        // L(t) = 3 - 2t + 0.5t^2: L(0) = 3, L(1) = 1.5, L(2) = 1; minimum at t = 2
        assertEquals(2.0, CurvatureProbe.optimalMultiple(3, 1.5, 1), 1e-12);
    }

    @Test
    void onAQuadraticLossTheSuggestedRateIsTheNewtonStep() {
        // L(w) = h w^2 / 2 with h = 4, from w0 = 1 a gradient step at rate 0.1 moves to 0.6 (and twice that to 0.2);
        // the rate that minimises L along that direction is 1 / h = 0.25
        double h = 4, w0 = 1, lr = 0.1, delta = -lr * h * w0;
        double l0 = h * w0 * w0 / 2, l1 = h * Math.pow(w0 + delta, 2) / 2, l2 = h * Math.pow(w0 + 2 * delta, 2) / 2;
        assertEquals(1 / h, lr * CurvatureProbe.optimalMultiple(l0, l1, l2), 1e-12);
    }

    @Test
    void aLineWithoutAMinimumSuggestsNothing() {
        assertTrue(Double.isNaN(CurvatureProbe.optimalMultiple(1, 2, 2.5)), "concave: no minimum");
        assertTrue(Double.isNaN(CurvatureProbe.optimalMultiple(3, 2, 1)), "straight line: no minimum");
        assertTrue(Double.isNaN(CurvatureProbe.optimalMultiple(Double.NaN, 2, 1)));
    }
}
