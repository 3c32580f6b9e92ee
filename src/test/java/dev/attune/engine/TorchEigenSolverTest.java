package dev.attune.engine;

import dev.attune.spectral.EjmlEigenSolver;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The native eigenvalue path against the pure-Java reference, on both aspect ratios. */
class TorchEigenSolverTest {

    @Test
    void agreesWithTheJavaReference() {
        Random r = new Random(9);
        for (int[] shape : new int[][] {{120, 80}, {80, 120}}) {
            float[] w = new float[shape[0] * shape[1]];
            for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * (1 + (i % 7)));
            double[] ref = new EjmlEigenSolver().gramEigenvalues(w, shape[0], shape[1]);
            double[] fp64 = new TorchEigenSolver(true).gramEigenvalues(w, shape[0], shape[1]);
            double[] fp32 = new TorchEigenSolver(false).gramEigenvalues(w, shape[0], shape[1]);
            assertEquals(80, fp64.length);
            double max = ref[ref.length - 1];
            double worst64 = 0, worst32 = 0;
            for (int i = 0; i < ref.length; i++) {
                worst64 = Math.max(worst64, Math.abs(ref[i] - fp64[i]) / max);
                worst32 = Math.max(worst32, Math.abs(ref[i] - fp32[i]) / max);
            }
            // worst measured 1.9e-15 (fp64) and 4.3e-7 (fp32) under the AMX, AVX512-BF16, AVX512 and AVX2 instruction-set limits with 1 and 2 threads
            dev.attune.Tolerance.atMost("fp64 Gram eigenvalues, error relative to the largest", worst64, 1e-12);
            dev.attune.Tolerance.atMost("fp32 Gram eigenvalues, error relative to the largest", worst32, 1e-5);
        }
    }
}
