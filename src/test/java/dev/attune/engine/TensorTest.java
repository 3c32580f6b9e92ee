package dev.attune.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Known answers for the engine's tensor operations, computed by hand. */
class TensorTest {

    @Test
    void roundTripsJavaArraysWithShape() {
        try (var s = Scope.open()) {
            Tensor t = Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloats());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.transpose(0, 1).toFloats());
            assertArrayEquals(new long[] {7, -1, 30522}, Tensor.fromLongs(new long[] {7, -1, 30522}, 3).toLongs());
        }
    }

    @Test
    void linearUsesHuggingFaceOutInLayout() {
        try (var s = Scope.open()) {
            Tensor x = Tensor.fromFloats(new float[] {1, 2}, 1, 2);
            Tensor w = Tensor.fromFloats(new float[] {1, 0, 0, 1, 1, 1}, 3, 2); // [out=3, in=2]
            Tensor b = Tensor.fromFloats(new float[] {10, 20, 30}, 3);
            assertArrayEquals(new float[] {11, 22, 33}, x.linear(w, b).toFloats());
        }
    }

    @Test
    void layerNormSoftmaxAndExactGeluMatchFormulas() {
        try (var s = Scope.open()) {
            Tensor x = Tensor.fromFloats(new float[] {1, 2, 3, 4}, 1, 4);
            Tensor ones = Tensor.fromFloats(new float[] {1, 1, 1, 1}, 4);
            Tensor zeros = Tensor.zeros(4);
            float[] ln = x.layerNorm(ones, zeros, 1e-12).toFloats();
            double sd = Math.sqrt(1.25); // population variance of 1..4 is 1.25
            assertArrayEquals(new float[] {(float) (-1.5 / sd), (float) (-0.5 / sd), (float) (0.5 / sd), (float) (1.5 / sd)}, ln, 1e-6f);

            float[] sm = Tensor.fromFloats(new float[] {0, (float) Math.log(3)}, 2).softmax(-1).toFloats();
            assertArrayEquals(new float[] {0.25f, 0.75f}, sm, 1e-6f);

            // GELU(x) = x * Φ(x); Φ(1) = 0.8413447460685429
            float[] g = Tensor.fromFloats(new float[] {1f, 0f}, 2).gelu().toFloats();
            // worst measured 3.2e-8 under the AMX, AVX512-BF16, AVX512 and AVX2 instruction-set limits with 1 and 2 threads
            dev.attune.Tolerance.atMost("exact GELU(1), distance to Phi(1)", Math.abs(g[0] - 0.8413447460685429), 1e-6);
            assertEquals(0f, g[1], 0f);
        }
    }

    @Test
    void fusedAndPlainAttentionBothMatchTheFormulaWithPaddedKeys() {
        int b = 2, nh = 2, t = 5, hs = 4;
        double scale = 0.5;
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        float[] q = new float[b * nh * t * hs], k = new float[q.length], v = new float[q.length];
        for (float[] a : new float[][] {q, k, v}) for (int i = 0; i < a.length; i++) a[i] = (float) (random.nextDouble() * 4 - 2);
        float[] bias = new float[b * t];
        bias[t + 3] = bias[t + 4] = -Float.MAX_VALUE;                       // the second text's last two keys are padding
        double[] expected = new double[q.length];
        for (int n = 0; n < b * nh; n++) {
            int real = n / nh == 1 ? 3 : t;
            for (int i = 0; i < t; i++) {
                double[] w = new double[real];
                double sum = 0;
                for (int j = 0; j < real; j++) {
                    double dot = 0;
                    for (int d = 0; d < hs; d++) dot += q[(n * t + i) * hs + d] * k[(n * t + j) * hs + d];
                    sum += w[j] = Math.exp(dot * scale);
                }
                for (int d = 0; d < hs; d++) {
                    double out = 0;
                    for (int j = 0; j < real; j++) out += w[j] / sum * v[(n * t + j) * hs + d];
                    expected[(n * t + i) * hs + d] = out;
                }
            }
        }
        try (var s = Scope.open(); var off = Gradients.inference()) {
            Tensor tq = Tensor.fromFloats(q, b, nh, t, hs), tk = Tensor.fromFloats(k, b, nh, t, hs), tv = Tensor.fromFloats(v, b, nh, t, hs);
            Tensor mask = Tensor.fromFloats(bias, b, 1, 1, t);
            for (boolean bf16 : new boolean[] {false, true}) {
                Tensor qq = bf16 ? tq.toBf16() : tq, kk = bf16 ? tk.toBf16() : tk, vv = bf16 ? tv.toBf16() : tv;
                Tensor m = bf16 ? mask.toBf16() : mask;
                // worst measured on AVX512-BF16 over oneDNN ISA limits and 1 or 2 threads: fp32 1.4e-7, bf16 1.0e-2 (inputs and
                // output rounded to 8 bits)
                double limit = bf16 ? 0.05 : 1e-5;
                for (Tensor out : new Tensor[] {qq.attention(kk, vv, m, scale), qq.fusedAttention(kk, vv, m, scale),
                        qq.plainAttention(kk, vv, m, scale)}) {
                    float[] got = out.toFloats();
                    double worst = 0;
                    for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
                    dev.attune.Tolerance.atMost((bf16 ? "bf16" : "fp32") + " attention, distance to the formula", worst, limit);
                }
            }
        }
    }

    @Test
    void classWeightedCrossEntropyMatchesItsFormula() {
        try (var s = Scope.open()) {
            Tensor logits = Tensor.fromFloats(new float[] {0, 0, (float) Math.log(3), 0}, 2, 2);
            // row 0: -ln 0.5 with weight 1; row 1: p(class 1) = 1/4, -ln 0.25 with weight 3; divided by 1 + 3
            double expected = (Math.log(2) + 3 * Math.log(4)) / 4;
            assertEquals(expected, logits.crossEntropy(new long[] {0, 1}, new float[] {1, 3}).item(), 1e-6);
            // equal weights: the plain mean
            assertEquals(logits.crossEntropy(Tensor.fromLongs(new long[] {0, 1}, 2)).item(),
                    logits.crossEntropy(new long[] {0, 1}, new float[] {2, 2}).item(), 1e-6);
            assertArrayEquals(new float[] {0.75f, 1.5f}, dev.attune.train.TrainStep.balancedWeights(new long[] {0, 0, 1}, 2), 1e-6f);
        }
    }

    @Test
    void scopeInnerFreesItsTemporariesButKeepsWhatBackwardNeeds() {
        // dropout's mask is saved for backward; a scope that closes before backward must not take it along
        try (var s = Scope.open()) {
            int n = 1 << 16;
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            Tensor x = Tensor.fromFloats(ones, n).requiresGrad(true);
            Tensor y = Scope.inner(() -> x.mul(3.0).dropout(0.5, MaskStream.seeded(11)));
            for (int i = 0; i < 32; i++) Tensor.zeros(n / 4);    // native memory a freed mask would be reused for
            y.sum().backward();
            float[] kept = y.toFloats(), grad = x.grad().toFloats();
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(kept[i] == 0 ? 0f : 6f, kept[i]);
                assertEquals(kept[i] == 0 ? 0f : 6f, grad[i], "element " + i);   // d(3x · mask · 2)/dx
                if (kept[i] == 0) dropped++;
            }
            assertEquals(0.5, dropped / (double) n, 0.01);
        }
    }

    @Test
    void keptTensorsAndInnerResultsOutsideAnyScopeStayAlive() {
        Tensor t = Tensor.fromFloats(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor kept;
        try (Scope s = Scope.open()) {
            kept = s.keep(t.mul(2.0));
        }
        Tensor inner = Scope.inner(() -> t.mul(3.0).toBf16());           // no enclosing scope to hand it to
        assertArrayEquals(new float[] {2, 4, 6, 8}, kept.toFloats());
        assertArrayEquals(new float[] {3, 6, 9, 12}, inner.toFloats());
    }

    @Test
    void dropoutMasksDropTheRequestedShareScaleTheRestAndRepeatForASeed() {
        int n = 1_000_000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        try (var s = Scope.open()) {
            Tensor x = Tensor.fromFloats(ones, 1000, 1000);
            float[] a = x.dropout(0.1, MaskStream.seeded(7)).toFloats();
            float[] b = x.dropout(0.1, MaskStream.seeded(7)).toFloats();
            int zeros = 0;
            for (float v : a) {
                if (v == 0) zeros++;
                else assertEquals(1 / 0.9f, v, 1e-6f);
            }
            assertEquals(0.1, zeros / (double) n, 0.002);
            assertArrayEquals(a, b);
        }
    }

    @Test
    void dropoutKeepsTheElementsItsMaskKeepsTimesExactlyTheScaleInEitherPrecisionOrUnscaled() {
        int n = 3 * (1 << 18) + 7;                        // several pieces drawn in parallel, and a tail
        float[] x = new float[n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        double p = 0.1;
        byte[] keep = MaskStream.seeded(9).keepMask(n, (int) Math.round(p * 65536), 1);   // the mask one thread draws
        float scale = (float) (1 / (1 - p));
        try (var s = Scope.open()) {
            Tensor in = Tensor.fromFloats(x, n).requiresGrad(true);
            Tensor out = in.dropout(p, MaskStream.seeded(9));
            out.sum().backward();
            float[] y = out.toFloats(), g = in.grad().toFloats();
            float[] y16 = Tensor.fromFloats(x, n).toBf16().dropout(p, MaskStream.seeded(9)).toFloats();
            for (int i = 0; i < n; i++) {
                assertEquals(x[i] * (keep[i] == 0 ? 0f : scale), y[i], "fp32 element " + i);   // bit for bit, -0 included
                assertEquals(keep[i] == 0 ? 0f : scale, g[i], "fp32 gradient " + i);
                assertEquals(keep[i] == 0, y16[i] == 0, "bf16 element " + i + " dropped as the mask says");
            }
            // without the scale (folded into weights by the caller): the kept bf16 values themselves, gradient 1 or 0
            Tensor in16 = Tensor.fromFloats(x, n).toBf16().requiresGrad(true);
            Tensor kept = in16.keep(p, MaskStream.seeded(9));
            kept.toFloat32().sum().backward();
            float[] x16 = in16.toFloats(), k16 = kept.toFloats(), g16 = in16.grad().toFloats();
            for (int i = 0; i < n; i++) {
                assertEquals(keep[i] == 0 ? 0f : x16[i], Math.abs(k16[i]) == 0 ? 0f : k16[i], "bf16 kept element " + i);
                assertEquals(keep[i] == 0 ? 0f : 1f, g16[i], "bf16 kept gradient " + i);
            }
        }
    }

    @Test
    void rejectsDataThatDoesNotFitTheShapeBeforeNativeCode() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromFloats(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromLongs(new long[2], -1, -2));
    }

    @Test
    void shapeErrorsFromLibtorchArriveAsExceptionsNotCrashes() {
        try (var s = Scope.open()) {
            Tensor a = Tensor.fromFloats(new float[6], 2, 3);
            Tensor b = Tensor.fromFloats(new float[6], 2, 3);
            assertThrows(RuntimeException.class, () -> a.matmul(b));
        }
    }

    @Test
    void autocastRunsMatmulsInBf16AndRestoresFp32Afterwards() {
        try (var s = Scope.open()) {
            Tensor x = Tensor.fromFloats(new float[] {1, 2, 3, 4}, 2, 2);
            try (var cast = Autocast.bf16(true)) {
                assertEquals(Tensor.DType.BFLOAT16, x.matmul(x).dtype());
                try (var fp32 = Autocast.suspend()) {
                    assertEquals(Tensor.DType.FLOAT32, x.matmul(x).dtype());
                }
                assertEquals(Tensor.DType.BFLOAT16, x.matmul(x).dtype());
            }
            assertEquals(Tensor.DType.FLOAT32, x.matmul(x).dtype());
        }
    }
}
