package dev.attune.engine;

import java.util.EnumMap;
import java.util.Map;

/**
 * Whether libtorch's fused attention kernel (CPU flash attention) beats the plain three-step core (scores, softmax,
 * weighted sum) on this CPU, decided once per dtype by timing both on a small batch of the shape BERT models use.
 * The answer differs by CPU: with AMX the fused kernel is 1.2-1.4x faster in bf16, while on AVX512-BF16 without AMX
 * its bf16 path was measured 12x slower than the plain core for 4 texts x 12 heads x 128 x 32 (1.6e-2 against
 * 1.4e-3 s) and 18x for 32 texts; in fp32 it won on both kinds. The probe costs a few tens of milliseconds, once.
 */
final class FusedAttention {
    private static final Map<Tensor.DType, Boolean> PAYS = new EnumMap<>(Tensor.DType.class);

    private FusedAttention() {}

    /** True when the fused kernel is at least as fast as the plain core for {@code dtype} here. */
    static synchronized boolean pays(Tensor.DType dtype) {
        return PAYS.computeIfAbsent(dtype, FusedAttention::probe);
    }

    private static boolean probe(Tensor.DType dtype) {
        if (dtype != Tensor.DType.BFLOAT16 && dtype != Tensor.DType.FLOAT32) return true;
        try (Scope s = Scope.open(); Gradients off = Gradients.inference(); Autocast.Suspension exact = Autocast.suspend()) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            float[] values = new float[4 * 128 * 12 * 32];
            for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextDouble() - 0.5);
            Tensor q = Tensor.fromFloats(values, 4, 12, 128, 32);
            if (dtype == Tensor.DType.BFLOAT16) q = q.toBf16();
            Tensor heads = q;
            double fused = fastest(() -> heads.fusedAttention(heads, heads, null, 0.18));
            double plain = fastest(() -> heads.plainAttention(heads, heads, null, 0.18));
            return fused <= plain;
        }
    }

    /** The shortest of five timed runs after one warm-up run. */
    private static double fastest(java.util.function.Supplier<Tensor> run) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            try (Scope s = Scope.open()) {
                long start = System.nanoTime();
                run.get();
                long took = System.nanoTime() - start;
                if (i > 0) best = Math.min(best, took);
            }
        }
        return best;
    }
}
