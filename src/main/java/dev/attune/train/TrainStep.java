package dev.attune.train;

import dev.attune.data.TokenBatch;
import dev.attune.engine.AdamW;
import dev.attune.engine.Autocast;
import dev.attune.engine.Collective;
import dev.attune.engine.Gradients;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.BertModel;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One optimisation step, the only one in attune: forward with dropout, mean cross-entropy, backward, gradient
 * clipping, then the AdamW update unless the guard rejects the step. In bf16 the encoder computes on bf16 casts of
 * its fp32 parameters ({@link SequenceClassifier#castForStep}), so its activations stay bf16 from layer to layer, and
 * the fp32 parameters receive fp32 gradients (mixed precision with master weights); with activation checkpointing
 * the encoder runs under autocast instead. The training
 * loop, the learning-rate range test and the benchmark all call it; learning rates are set on the optimizer first.
 * With activation checkpointing, the forward pass keeps only each encoder layer's input and backward recomputes
 * every layer, with the same dropout masks, when it reaches it: the same gradients for about one more forward pass,
 * and activation memory of one layer instead of all.
 */
public final class TrainStep {
    /** Decides from a step's loss and gradient norm whether to apply it: the reason to reject it, or null. */
    public interface Guard {
        Guard NONE = (loss, gradNorm) -> null;

        String reject(double loss, double gradNorm);
    }

    /** What the step measured, why it was not applied (null when it was), and where its time went. */
    public record Outcome(double loss, double gradNorm, String rejected, Phases seconds) {
        public boolean applied() {
            return rejected == null;
        }
    }

    /**
     * Wall-clock seconds of a step's parts (libtorch runs CPU kernels synchronously, so they add up): forward and
     * loss, backward (with activation checkpointing, the recomputation too), gradient clipping, and the AdamW update
     * with zeroing the gradients.
     */
    public record Phases(double forwardSeconds, double backwardSeconds, double clipSeconds, double updateSeconds) {}

    private final SequenceClassifier model;
    private final AdamW optimizer;
    private final boolean bf16;
    private final double maxGradNorm;
    private final float[] classWeights;
    private final boolean recompute;
    private Collective collective = Collective.SINGLE;

    /** @param maxGradNorm clip the global gradient norm to this; 0 or less: no clipping (the norm is then NaN) */
    public TrainStep(SequenceClassifier model, AdamW optimizer, boolean bf16, double maxGradNorm) {
        this(model, optimizer, bf16, maxGradNorm, null);
    }

    /** @param classWeights the loss weight of each class, or null for plain mean cross-entropy */
    public TrainStep(SequenceClassifier model, AdamW optimizer, boolean bf16, double maxGradNorm, float[] classWeights) {
        this(model, optimizer, bf16, maxGradNorm, classWeights, false);
    }

    /** @param recompute activation checkpointing: recompute each encoder layer in backward instead of keeping it */
    public TrainStep(SequenceClassifier model, AdamW optimizer, boolean bf16, double maxGradNorm, float[] classWeights, boolean recompute) {
        this.model = model;
        this.optimizer = optimizer;
        this.bf16 = bf16;
        this.maxGradNorm = maxGradNorm;
        this.classWeights = classWeights == null ? null : classWeights.clone();
        this.recompute = recompute;
    }

    /**
     * Runs data-parallel over {@code collective}: each rank's gradients are summed with every other's (weighted by
     * its share of the global batch) between backward and clipping, so clipping sees the global norm and every rank
     * applies the same update.
     */
    public TrainStep distributed(Collective collective) {
        this.collective = collective;
        return this;
    }

    /**
     * This rank's weight in the global batch's mean loss: its rows' share of the batch, or with class weights its
     * share of the summed weights (the loss is then a weighted mean), so that the weighted sum of the ranks' mean
     * losses, and of their gradients, is the mean over the whole batch.
     */
    public double share(long[] local, long[] global) {
        return denominator(local) / denominator(global);
    }

    private double denominator(long[] labels) {
        if (classWeights == null) return labels.length;
        double w = 0;
        for (long y : labels) w += classWeights[(int) y];
        return w;
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
        return run(tokens, labels, 1, dropout, guard);
    }

    /**
     * One step on this rank's part of a global batch, {@code share} being its weight in the batch's mean loss
     * ({@link #share}); 1 in a one-process run.
     */
    public Outcome run(TokenBatch tokens, long[] labels, double share, Dropout dropout, Guard guard) {
        double loss, gradNorm;
        String rejected;
        long start = System.nanoTime(), forwardEnd, backward, clipped, updating, end;
        try (Scope scope = Scope.open()) {
            Backpropagated b = recompute ? lossAndGradientsRecomputing(tokens, labels, dropout) : lossAndGradients(tokens, labels, dropout);
            loss = b.loss();
            forwardEnd = b.forwardEnd();
            if (collective.worldSize() > 1) {
                collective.sumGradients(optimizer.parameters(), share);
                loss = collective.sum(new double[]{loss * share})[0];
            }
            backward = System.nanoTime();
            gradNorm = maxGradNorm > 0 ? optimizer.clipGradNorm(maxGradNorm) : Double.NaN;
            clipped = System.nanoTime();
            rejected = guard.reject(loss, gradNorm);
            dev.attune.FaultPoint.reached("step");
            updating = System.nanoTime();
            if (rejected == null) optimizer.step();
            optimizer.zeroGrad();
            end = System.nanoTime();
        }
        Phases seconds = new Phases((forwardEnd - start) / 1e9, (backward - forwardEnd) / 1e9, (clipped - backward) / 1e9, (end - updating) / 1e9);
        return new Outcome(loss, gradNorm, rejected, seconds);
    }

    /** The loss, and System.nanoTime() when the forward pass had computed it. */
    private record Backpropagated(double loss, long forwardEnd) {}

    private Backpropagated lossAndGradients(TokenBatch tokens, long[] labels, Dropout dropout) {
        Tensor loss;
        if (bf16) {
            // bf16 end to end in the encoder (fp32 master weights): no activation is cast on its way between layers,
            // and what autograd saves for backward is half the size; the small head runs under autocast
            SequenceClassifier m = model.castForStep(dropout);
            Tensor hidden = m.encoder().forward(tokens, dropout);
            try (Autocast cast = Autocast.bf16(true)) {
                loss = loss(m.classify(hidden, tokens, dropout), labels);
            }
        } else {
            loss = loss(model.forward(tokens, dropout), labels);
        }
        long forwardEnd = System.nanoTime();
        loss.backward();
        return new Backpropagated(loss.item(), forwardEnd);
    }

    /** As {@link #lossAndGradients}, keeping only the encoder layers' inputs; backward recomputes each layer. */
    private Backpropagated lossAndGradientsRecomputing(TokenBatch tokens, long[] labels, Dropout dropout) {
        BertModel encoder = model.encoder();
        int n = encoder.config().numHiddenLayers();
        List<Supplier<Dropout>> masks = new ArrayList<>(n + 1);                 // the embeddings', then each layer's
        for (int i = 0; i <= n; i++) masks.add(dropout.replayable());
        Tensor maskBias = BertModel.attentionBias(tokens);
        Tensor[] inputs = new Tensor[n];
        Tensor top;
        try (Gradients off = Gradients.off(); Autocast cast = Autocast.bf16(bf16)) {
            Tensor x = encoder.embed(tokens, masks.get(0).get());
            for (int l = 0; l < n; l++) {
                inputs[l] = x;
                x = encoder.layer(l, x, maskBias, masks.get(l + 1).get());
            }
            top = x;
        }
        Tensor hidden = top.detach().requiresGrad(true);
        Tensor loss;
        try (Autocast cast = Autocast.bf16(bf16)) {
            loss = loss(model.classify(hidden, tokens, dropout), labels);
        }
        long forwardEnd = System.nanoTime();
        loss.backward();
        Tensor grad = hidden.grad();
        for (int l = n - 1; l >= 0; l--) {
            Tensor in = inputs[l].detach().requiresGrad(true), upstream = grad;
            Dropout layerMasks = masks.get(l + 1).get();
            int layer = l;
            grad = Scope.inner(() -> {
                Tensor out;
                try (Autocast cast = Autocast.bf16(bf16)) {
                    out = encoder.layer(layer, in, maskBias, layerMasks);
                }
                out.backward(upstream);
                return in.grad();
            });
        }
        Tensor embedded;
        try (Autocast cast = Autocast.bf16(bf16)) {
            embedded = encoder.embed(tokens, masks.get(0).get());
        }
        if (embedded.requiresGrad()) embedded.backward(grad);                    // unless the embeddings are frozen
        return new Backpropagated(loss.item(), forwardEnd);
    }

    private Tensor loss(Tensor logits, long[] labels) {                                         // logits (B, C)
        return classWeights == null ? logits.crossEntropy(Tensor.fromLongs(labels, labels.length))
                : logits.crossEntropy(labels, classWeights);
    }
}
