package dev.attune.train;

import dev.attune.AttuneException;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.Autocast;
import dev.attune.engine.Collective;
import dev.attune.engine.Gradients;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

import java.util.List;

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
     * Class probabilities per example, in dataset order, and the pooled encoder output when {@code withPooled}. In
     * bf16 the encoder runs on a bf16 copy of its weights ({@link SequenceClassifier#inBf16}) without autocast; the
     * head runs under autocast as in training, the softmax in fp32. A
     * non-finite output (overflow in the model's activations) is an error naming the example, never a result.
     */
    public static Outputs outputs(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16, boolean withPooled) {
        return outputs(model, data, batchSize, bf16, withPooled, Collective.SINGLE);
    }

    /**
     * As {@link #outputs(SequenceClassifier, EncodedDataset, int, boolean, boolean)}, sharded over the ranks of
     * {@code collective}: each scores every world-size-th batch of the length-sorted order, and the probabilities
     * are summed over ranks (each example's row is non-zero on one rank only), so every rank ends with all of them.
     */
    public static Outputs outputs(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16, boolean withPooled,
                                  Collective collective) {
        int c = model.labels().size();
        float[][] out = new float[data.size()][];
        float[][] pooledOut = withPooled ? new float[data.size()][] : null;
        int world = collective.worldSize();
        if (world > 1 && withPooled) throw new IllegalArgumentException("pooled vectors are not gathered across ranks");
        List<EncodedDataset.Batch> batches = data.inOrder(batchSize);
        // the bf16 copy lives in its own scope, freed when scoring ends rather than whenever the collector runs (it
        // stayed until then: tens of MB per evaluation of minilm-l6, hundreds for bert-base-uncased)
        try (Gradients off = Gradients.inference(); Scope copy = Scope.open()) {
            SequenceClassifier m = bf16 ? model.inBf16() : model;   // bf16 weights: no casts between layers
            for (int bi = collective.rank(); bi < batches.size(); bi += world) {
                EncodedDataset.Batch b = batches.get(bi);
                float[] p, v = null;
                try (Scope scope = Scope.open()) {
                    var hidden = m.encoder().forward(b.tokens(), Dropout.NONE);
                    var pooled = m.pool(hidden, b.tokens()).toFloat32();
                    Tensor logits;
                    try (Autocast cast = Autocast.bf16(bf16)) {   // the head as in training: no fp32 BLAS beside the spectra's
                        logits = m.head(pooled, Dropout.NONE);
                    }
                    p = logits.toFloat32().softmax(-1).toFloats();                                // (B, C)
                    if (withPooled) v = pooled.toFloats();                                       // (B, H)
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
        if (world > 1) {
            double[] all = new double[data.size() * c];
            for (int i = 0; i < out.length; i++) if (out[i] != null) for (int k = 0; k < c; k++) all[i * c + k] = out[i][k];
            all = collective.sum(all);
            for (int i = 0; i < out.length; i++) {
                out[i] = new float[c];
                for (int k = 0; k < c; k++) out[i][k] = (float) all[i * c + k];
            }
        }
        return new Outputs(out, pooledOut);
    }

    public static ClassificationMetrics evaluate(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16) {
        return evaluate(model, data, batchSize, bf16, Collective.SINGLE);
    }

    /** Scores {@code data}, sharded over the ranks of {@code collective}; every rank gets the same metrics. */
    public static ClassificationMetrics evaluate(SequenceClassifier model, EncodedDataset data, int batchSize, boolean bf16, Collective collective) {
        float[][] p = outputs(model, data, batchSize, bf16, false, collective).probabilities();
        return ClassificationMetrics.of(p, data.labels(), model.labels());
    }
}
