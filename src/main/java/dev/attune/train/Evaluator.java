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
        int c = model.labels().size();
        float[][] out = new float[data.size()][];
        try (Gradients off = Gradients.inference()) {
            for (EncodedDataset.Batch b : data.inOrder(batchSize)) {
                float[] p;
                try (Scope scope = Scope.open(); Autocast cast = Autocast.bf16(bf16)) {
                    p = model.forward(b.tokens(), Dropout.NONE).toFloat32().softmax(-1).toFloats();    // (B, C)
                }
                for (int k = 0; k < p.length; k++) {
                    if (!Float.isFinite(p[k])) {
                        throw new AttuneException("the model's forward pass produced " + p[k] + " for example " + (b.indices()[k / c] + 1)
                                + " of " + data.size() + ": its weights or activations overflow; no result is reported");
                    }
                }
                for (int k = 0; k < b.indices().length; k++) {
                    out[b.indices()[k]] = java.util.Arrays.copyOfRange(p, k * c, (k + 1) * c);
                }
            }
        }
        return out;
    }

    public static ClassificationMetrics evaluate(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16) {
        float[][] p = probabilities(model, data, batchSize, bf16);
        return ClassificationMetrics.of(p, data.labels(), model.labels());
    }
}
