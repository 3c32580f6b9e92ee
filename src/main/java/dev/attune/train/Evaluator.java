package dev.attune.train;

import dev.attune.AttuneException;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.Autocast;
import dev.attune.engine.Gradients;
import dev.attune.engine.Scope;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

/** Runs a classifier over a dataset without gradients and scores it. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Class probabilities per example, in dataset order: (N, C). A non-finite output (overflow in the model's
     * activations) is an error naming the example, never a result.
     */
    public static float[][] probabilities(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16) {
        return outputs(model, data, batchSize, bf16, false).probabilities();
    }

    /** Class probabilities (N, C) and, when asked, the pooled vectors the head read (N, H); else null. */
    public record Outputs(float[][] probabilities, float[][] pooled) {}

    /**
     * Class probabilities per example, in dataset order, and the pooled encoder output when {@code withPooled}. A
     * non-finite output (overflow in the model's activations) is an error naming the example, never a result.
     */
    public static Outputs outputs(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16, boolean withPooled) {
        int c = model.labels().size();
        float[][] out = new float[data.size()][];
        float[][] pooledOut = withPooled ? new float[data.size()][] : null;
        try (Gradients off = Gradients.inference()) {
            for (EncodedDataset.Batch b : data.inOrder(batchSize)) {
                float[] p, v = null;
                try (Scope scope = Scope.open(); Autocast cast = Autocast.bf16(bf16)) {
                    var hidden = model.encoder().forward(b.tokens(), Dropout.NONE);
                    var pooled = model.pool(hidden, b.tokens());
                    p = model.head(pooled, Dropout.NONE).toFloat32().softmax(-1).toFloats();    // (B, C)
                    if (withPooled) v = pooled.toFloat32().toFloats();                           // (B, H)
                }
                for (int k = 0; k < p.length; k++) {
                    if (!Float.isFinite(p[k])) {
                        throw new AttuneException("the model's forward pass produced " + p[k] + " for example " + (b.indices()[k / c] + 1)
                                + " of " + data.size() + ": its weights or activations overflow; no result is reported");
                    }
                }
                int h = withPooled ? v.length / b.indices().length : 0;
                for (int k = 0; k < b.indices().length; k++) {
                    out[b.indices()[k]] = java.util.Arrays.copyOfRange(p, k * c, (k + 1) * c);
                    if (withPooled) pooledOut[b.indices()[k]] = java.util.Arrays.copyOfRange(v, k * h, (k + 1) * h);
                }
            }
        }
        return new Outputs(out, pooledOut);
    }

    public static ClassificationMetrics evaluate(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16) {
        float[][] p = probabilities(model, data, batchSize, bf16);
        return ClassificationMetrics.of(p, data.labels(), model.labels());
    }
}
