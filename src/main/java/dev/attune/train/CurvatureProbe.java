package dev.attune.train;

import dev.attune.data.EncodedDataset;
import dev.attune.engine.Autocast;
import dev.attune.engine.Gradients;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;


/**
 * The loss's curvature along the update direction, after GeN (Bu and Xu, ICLR 2025): an update Δ made at rate η
 * moved the weights from w₀ to w₀ + Δ; the batch's loss (without dropout) at w₀, w₀ + Δ and w₀ + 2Δ fits a parabola
 * L(t) = a + b·t + c·t², whose minimum t* = −b / 2c is how many times the current rate the same direction would have
 * paid best on that batch: the rate it suggests is η·t*. Three forward passes per measurement (one step's cost).
 * Measured and logged; whether a rate follows it is the caller's choice.
 */
public final class CurvatureProbe {
    /** One measurement: losses at t = 0, 1, 2, the optimal multiple t* (NaN when the parabola has no minimum) and η·t*. */
    public record Measurement(long step, double learningRate, double loss0, double loss1, double loss2, double optimalMultiple,
                              double suggestedRate) {}

    private final SequenceClassifier model;
    private final boolean bf16;
    private WeightSnapshot before;
    private int forwardPasses;

    public CurvatureProbe(SequenceClassifier model, boolean bf16) {
        this.model = model;
        this.bf16 = bf16;
    }

    /**
     * t* of the parabola through (0, l0), (1, l1), (2, l2): c = (l0 − 2·l1 + l2) / 2, b = (−3·l0 + 4·l1 − l2) / 2,
     * t* = −b / 2c; NaN when c ≤ 0 (no minimum along the line) or a loss is not finite.
     */
    public static double optimalMultiple(double l0, double l1, double l2) {
        double c = (l0 - 2 * l1 + l2) / 2, b = (-3 * l0 + 4 * l1 - l2) / 2;
        if (!(c > 0) || !Double.isFinite(b)) return Double.NaN;
        return -b / (2 * c);
    }

    /** Remembers w₀, before the update to be measured. */
    public void before() {
        before = WeightSnapshot.of(model);
    }

    /** After the update: the three losses on {@code batch}; the weights are left at w₀ + Δ, as the update made them. */
    public Measurement after(long step, double learningRate, EncodedDataset.Batch batch) {
        if (before == null) throw new IllegalStateException("before() first");
        WeightSnapshot updated = WeightSnapshot.of(model);
        double l1 = loss(batch);
        WeightSnapshot.set(model, n -> {                                             // w₀ + 2Δ = 2(w₀ + Δ) − w₀
            float[] w1 = updated.get(n), w0 = before.get(n), w2 = new float[w1.length];
            for (int i = 0; i < w2.length; i++) w2[i] = 2 * w1[i] - w0[i];
            return w2;
        });
        double l2 = loss(batch);
        before.restore(model);
        double l0 = loss(batch);
        updated.restore(model);
        before = null;
        double t = optimalMultiple(l0, l1, l2);
        return new Measurement(step, learningRate, l0, l1, l2, t, learningRate * t);
    }

    /** Forward passes made so far (three per measurement). */
    public int forwardPasses() {
        return forwardPasses;
    }

    private double loss(EncodedDataset.Batch batch) {
        forwardPasses++;
        try (Gradients off = Gradients.off(); Scope scope = Scope.open(); Autocast cast = Autocast.bf16(bf16)) {
            return model.forward(batch.tokens(), Dropout.NONE).crossEntropy(Tensor.fromLongs(batch.labels(), batch.labels().length)).item();
        }
    }
}
