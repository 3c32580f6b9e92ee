package dev.attune.train;

import dev.attune.data.TokenBatch;
import dev.attune.engine.AdamW;
import dev.attune.engine.Autocast;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

/**
 * One optimisation step, the only one in attune: forward with dropout (under bf16 autocast when asked), mean
 * cross-entropy, backward, gradient clipping, then the AdamW update unless the guard rejects the step. The training
 * loop, the learning-rate range test and the benchmark all call it; learning rates are set on the optimizer first.
 */
public final class TrainStep {
    /** Decides from a step's loss and gradient norm whether to apply it: the reason to reject it, or null. */
    public interface Guard {
        Guard NONE = (loss, gradNorm) -> null;

        String reject(double loss, double gradNorm);
    }

    /** What the step measured, and why it was not applied (null when it was). */
    public record Outcome(double loss, double gradNorm, String rejected) {
        public boolean applied() {
            return rejected == null;
        }
    }

    private final SequenceClassifier model;
    private final AdamW optimizer;
    private final boolean bf16;
    private final double maxGradNorm;
    private final float[] classWeights;

    /** @param maxGradNorm clip the global gradient norm to this; 0 or less: no clipping (the norm is then NaN) */
    public TrainStep(SequenceClassifier model, AdamW optimizer, boolean bf16, double maxGradNorm) {
        this(model, optimizer, bf16, maxGradNorm, null);
    }

    /** @param classWeights the loss weight of each class, or null for plain mean cross-entropy */
    public TrainStep(SequenceClassifier model, AdamW optimizer, boolean bf16, double maxGradNorm, float[] classWeights) {
        this.model = model;
        this.optimizer = optimizer;
        this.bf16 = bf16;
        this.maxGradNorm = maxGradNorm;
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    /** N / (C · n_c) per class from label ids in [0, C): each class then weighs as much in the loss as every other. */
    public static float[] balancedWeights(long[] labels, int classes) {
        long[] count = new long[classes];
        for (long y : labels) count[(int) y]++;
        float[] w = new float[classes];
        for (int k = 0; k < classes; k++) w[k] = count[k] == 0 ? 0f : (float) ((double) labels.length / (classes * count[k]));
        return w;
    }

    public Outcome run(TokenBatch tokens, long[] labels, Dropout dropout, Guard guard) {
        double loss, gradNorm;
        String rejected;
        try (Scope scope = Scope.open()) {
            Tensor lossT;
            try (Autocast cast = Autocast.bf16(bf16)) {
                Tensor logits = model.forward(tokens, dropout);                                     // (B, C)
                lossT = classWeights == null ? logits.crossEntropy(Tensor.fromLongs(labels, labels.length))
                        : logits.crossEntropy(labels, classWeights);
            }
            lossT.backward();
            loss = lossT.item();
            gradNorm = maxGradNorm > 0 ? optimizer.clipGradNorm(maxGradNorm) : Double.NaN;
            rejected = guard.reject(loss, gradNorm);
            dev.attune.FaultPoint.reached("step");
            if (rejected == null) optimizer.step();
            optimizer.zeroGrad();
        }
        return new Outcome(loss, gradNorm, rejected);
    }
}
