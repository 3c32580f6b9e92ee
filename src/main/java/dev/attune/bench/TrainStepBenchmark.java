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
    /** Median seconds of the whole step and of each of its parts ({@link TrainStep.Phases}). */
    public record Result(String precision, int batchSize, int seqLen, double medianSeconds, double tokensPerSecond, TrainStep.Phases medianPhases) {}

    private TrainStepBenchmark() {}

    /** @param recompute activation checkpointing ({@link TrainStep}) */
    public static Result run(SequenceClassifier model, TokenBatch batch, boolean bf16, boolean recompute, int warmup, int iterations) {
        Engine.init();
        ParameterGroups pg = ParameterGroups.build(model.parameters(), List.of(), 0.01);
        TrainStep step = new TrainStep(model, new AdamW(pg.groups(), 1e-5, 1e-8), bf16, 1.0, null, recompute);
        long[] labels = new long[batch.batchSize()];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 2;
        var masks = dev.attune.engine.MaskStream.seeded(1);
        Dropout dropout = Dropout.masks(masks);
        double[] times = new double[iterations];
        double[][] phases = new double[4][iterations];
        for (int i = 0; i < warmup + iterations; i++) {
            long start = System.nanoTime();
            TrainStep.Phases p = step.run(batch, labels, dropout, TrainStep.Guard.NONE).seconds();
            if (i < warmup) continue;
            times[i - warmup] = (System.nanoTime() - start) / 1e9;
            double[] parts = {p.forwardSeconds(), p.backwardSeconds(), p.clipSeconds(), p.updateSeconds()};
            for (int k = 0; k < 4; k++) phases[k][i - warmup] = parts[k];
        }
        double median = median(times);
        return new Result(bf16 ? "bf16" : "fp32", batch.batchSize(), batch.seqLen(), median,
                batch.batchSize() * (double) batch.seqLen() / median,
                new TrainStep.Phases(median(phases[0]), median(phases[1]), median(phases[2]), median(phases[3])));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
