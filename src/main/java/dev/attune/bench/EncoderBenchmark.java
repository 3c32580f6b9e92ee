package dev.attune.bench;

import dev.attune.data.TokenBatch;
import dev.attune.engine.Engine;
import dev.attune.engine.Scope;
import dev.attune.model.BertModel;

import java.util.Arrays;
import java.util.Random;

/** Forward-pass throughput of an encoder at a fixed batch shape, fp32 and bf16 measured side by side. */
public final class EncoderBenchmark {
    public record Result(String precision, int batchSize, int seqLen, double medianSeconds, double sentencesPerSecond,
                         double tokensPerSecond) {}

    private EncoderBenchmark() {}

    /** Random in-vocabulary ids, every position real (no padding), fixed seed. */
    public static TokenBatch syntheticBatch(int batchSize, int seqLen, int vocabSize, long seed) {
        Random r = new Random(seed);
        long[] ids = new long[batchSize * seqLen], mask = new long[ids.length], types = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int t = i % seqLen;
            ids[i] = t == 0 ? 101 : t == seqLen - 1 ? 102 : 1000 + r.nextInt(vocabSize - 1000);
            mask[i] = 1;
        }
        return new TokenBatch(batchSize, seqLen, ids, mask, types);
    }

    /**
     * Median seconds of the encoder's forward pass over {@code batch} on the inference path: inference mode, and in
     * bf16 a bf16 copy of the weights without autocast.
     */
    public static Result forward(BertModel model, TokenBatch batch, boolean bf16, int warmup, int iterations) {
        Engine.init();
        BertModel inference = bf16 ? model.inBf16() : model;   // as predict, eval and the trainer's evaluations run it
        double[] times = new double[iterations];
        for (int i = 0; i < warmup + iterations; i++) {
            long start = System.nanoTime();
            try (var off = dev.attune.engine.Gradients.inference(); var scope = Scope.open()) {
                inference.forward(batch).toFloat32().sum().item(); // forces completion
            }
            if (i >= warmup) times[i - warmup] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(times);
        double median = times[iterations / 2];
        return new Result(bf16 ? "bf16" : "fp32", batch.batchSize(), batch.seqLen(), median,
                batch.batchSize() / median, batch.batchSize() * (double) batch.seqLen() / median);
    }
}
