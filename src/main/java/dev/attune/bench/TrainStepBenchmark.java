package dev.attune.bench;

import dev.attune.data.TokenBatch;
import dev.attune.engine.AdamW;
import dev.attune.engine.Engine;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;
import dev.attune.train.ParameterGroups;
import dev.attune.train.TrainStep;

import java.util.Arrays;
import java.util.List;

/**
 * Time of one full training step (forward with dropout, cross-entropy, backward, gradient clipping, AdamW update
 * over per-layer parameter groups) at a fixed batch shape, as the training loop runs it.
 */
public final class TrainStepBenchmark {
    public record Result(String precision, int batchSize, int seqLen, double medianSeconds, double tokensPerSecond) {}

    private TrainStepBenchmark() {}

    /** @param recompute activation checkpointing ({@link TrainStep}) */
    public static Result run(SequenceClassifier model, TokenBatch batch, boolean bf16, boolean recompute, int warmup, int iterations) {
        Engine.init();
        ParameterGroups pg = ParameterGroups.build(model.parameters(), List.of(), 0.01);
        TrainStep step = new TrainStep(model, new AdamW(pg.groups(), 1e-5, 1e-8), bf16, 1.0, null, recompute);
        long[] labels = new long[batch.batchSize()];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 2;
        java.util.SplittableRandom masks = new java.util.SplittableRandom(1);
        Dropout dropout = Dropout.masks(masks);
        double[] times = new double[iterations];
        for (int i = 0; i < warmup + iterations; i++) {
            long start = System.nanoTime();
            step.run(batch, labels, dropout, TrainStep.Guard.NONE);
            if (i >= warmup) times[i - warmup] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(times);
        double median = times[iterations / 2];
        return new Result(bf16 ? "bf16" : "fp32", batch.batchSize(), batch.seqLen(), median,
                batch.batchSize() * (double) batch.seqLen() / median);
    }
}
