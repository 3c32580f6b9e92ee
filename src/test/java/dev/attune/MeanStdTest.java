package dev.attune;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeanStdTest {
    @Test
    void populationAndSampleFormsDivideByNAndNMinusOne() {
        double[] v = {2, 4, 4, 4, 5, 5, 7, 9};                  // mean 5, squared deviations sum to 32
        assertEquals(5, MeanStd.population(v).mean(), 1e-15);
        assertEquals(2, MeanStd.population(v).std(), 1e-15);  // sqrt(32 / 8)
        assertEquals(Math.sqrt(32.0 / 7), MeanStd.sample(v).std(), 1e-15);
    }

    @Test
    void edgeCases() {
        assertTrue(Double.isNaN(MeanStd.sample(new double[0]).mean()));
        assertEquals(0, MeanStd.sample(new double[] {3}).std());
        assertEquals(0, MeanStd.population(new double[] {3}).std());
    }
}
