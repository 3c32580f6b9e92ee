package dev.attune.train;

import dev.attune.data.TokenBatch;
import dev.attune.engine.AdamW;
import dev.attune.engine.MaskStream;
import dev.attune.model.Dropout;
import dev.attune.model.HeadConfig;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Activation checkpointing gives the gradients of the plain step: every parameter's gradient, with dropout off and
 * with dropout masks that the recomputation must draw again exactly as the forward pass drew them.
 */
class RecomputeTest {
    static final List<String> TEXTS = List.of("The quarterly report is attached, numbers look fine.",
            "WIN a FREE cruise now!!! click the link to claim your prize today",
            "lunch tomorrow?", "Your parcel could not be delivered, pay the customs fee to release it");

    @Test
    void recomputedGradientsEqualThePlainStepsWithAndWithoutDropout() {
        try (Pretrained p = Pretrained.load("minilm-l6")) {
            SequenceClassifier model = SequenceClassifier.create(p.model(), new HeadConfig("mean", 0, "gelu", 0.1), List.of("ham", "spam"), 3);
            List<long[]> rows = new ArrayList<>();
            for (long[] ids : p.tokenizer().encodeEach(TEXTS, 32)) rows.add(ids);
            TokenBatch batch = TokenBatch.pad(rows, p.tokenizer().padId());
            long[] labels = {0, 1, 0, 1};
            int layers = model.encoder().config().numHiddenLayers();

            // fp32: the same kernels on the same shapes; measured bit-identical (0), limit 1e-5 for other CPUs' kernel choices
            compare(gradients(model, batch, labels, false, Dropout.NONE), gradients(model, batch, labels, true, Dropout.NONE), 1e-5);

            // the recomputing step forks one mask source for the embeddings and one per layer, then draws the head's
            // masks from the source itself; the plain step gets the same masks routed by call order (the embeddings
            // draw once, each layer three times, the head once)
            Map<String, float[]> recomputed = gradients(model, batch, labels, true, Dropout.masks(MaskStream.seeded(5)));
            Dropout routed = Dropout.masks(MaskStream.seeded(5));
            List<Dropout> sources = new ArrayList<>();
            for (int i = 0; i <= layers; i++) sources.add(routed.replayable().get());
            int[] calls = {0};
            Dropout byCallOrder = (x, prob) -> {
                int c = calls[0]++;
                Dropout d = c == 0 ? sources.get(0) : c <= 3 * layers ? sources.get(1 + (c - 1) / 3) : routed;
                return d.apply(x, prob);
            };
            Map<String, float[]> plain = gradients(model, batch, labels, false, byCallOrder);
            assertEquals(3 * layers + 2, calls[0], "dropout calls of one forward pass");
            compare(plain, recomputed, 1e-5);
        }
    }

    private static Map<String, float[]> gradients(SequenceClassifier model, TokenBatch batch, long[] labels, boolean recompute, Dropout dropout) {
        return gradients(model, batch, labels, false, recompute, dropout);
    }

    /** Every parameter's gradient after one step's backward (the step itself is not applied); each must be fp32. */
    static Map<String, float[]> gradients(SequenceClassifier model, TokenBatch batch, long[] labels, boolean bf16, boolean recompute, Dropout dropout) {
        ParameterGroups pg = ParameterGroups.build(model.parameters(), List.of(), 0.0);
        AdamW optimizer = new AdamW(pg.groups(), 1e-3, 1e-8);
        Map<String, float[]> grads = new LinkedHashMap<>();
        TrainStep step = new TrainStep(model, optimizer, bf16, 0, null, recompute);
        TrainStep.Outcome outcome = step.run(batch, labels, dropout, (loss, norm) -> {
            model.parameters().forEach((name, t) -> {
                assertEquals(dev.attune.engine.Tensor.DType.FLOAT32, t.grad().dtype(), name + ": gradient dtype");
                grads.put(name, t.grad().toFloats());
            });
            return "measured only";                                   // rejected: the weights stay as they were
        });
        assertTrue(Double.isFinite(outcome.loss()));
        return grads;
    }

    private static void compare(Map<String, float[]> expected, Map<String, float[]> actual, double tolerance) {
        assertEquals(expected.keySet(), actual.keySet());
        double worst = 0;
        for (String name : expected.keySet()) {
            float[] e = expected.get(name), a = actual.get(name);
            double scale = 1e-30;
            for (float v : e) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(e[i] - a[i]) / scale);
            assertTrue(scale > 1e-12, name + " has no gradient");
        }
        dev.attune.Tolerance.atMost("recomputed gradients: largest difference relative to the tensor's largest gradient", worst, tolerance);
    }
}
