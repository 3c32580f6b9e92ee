package dev.attune.bench;

import dev.attune.model.BertConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepProductsTest {
    /**
     * The closed form for a BERT encoder at B × T (N = B·T rows, hidden h, feed-forward f, L layers): the forward
     * pass's linear layers 2·N·L·(4h² + 2hf), its attention 4·B·T²·h·L (scores and weighted sum over all heads), and a
     * training step three times the forward pass (each product has two of the same size in backward).
     */
    private static double closedForm(int b, int t, int h, int f, int layers, boolean step) {
        double n = (double) b * t;
        double forward = 2 * n * layers * (4.0 * h * h + 2.0 * h * f) + 4.0 * b * t * t * h * layers;
        return step ? 3 * forward : forward;
    }

    @Test
    void countsTheFlopsOfTheClosedForm() {
        BertConfig minilm = BertConfig.of(30522, 384, 6, 12, 1536, 512);
        BertConfig base = BertConfig.of(30522, 768, 12, 12, 3072, 512);
        // minilm-l6 at 32 x 128: 91.8 GFLOP forward, 275.4 per step (the 276 estimated by hand for it)
        assertEquals(275_414_777_856.0, StepProducts.flops(StepProducts.trainStep(minilm, 32, 128)), 0);
        assertEquals(closedForm(32, 128, 384, 1536, 6, false), StepProducts.flops(StepProducts.forward(minilm, 32, 128)), 0);
        assertEquals(closedForm(32, 128, 768, 3072, 12, true), StepProducts.flops(StepProducts.trainStep(base, 32, 128)), 0);
        assertEquals(closedForm(3, 17, 768, 3072, 12, true), StepProducts.flops(StepProducts.trainStep(base, 3, 17)), 0);
    }

    @Test
    void everyListedProductRunsWithTheShapesItClaims() {
        // time() checks each product's output shape against (batch ×) m × n and throws on a mismatch
        BertConfig tiny = BertConfig.of(100, 16, 2, 4, 24, 32);
        for (boolean bf16 : new boolean[] {false, true}) {
            var t = StepProducts.time(StepProducts.trainStep(tiny, 3, 8), bf16, 1);
            assertTrue(t.seconds() > 0 && Double.isFinite(t.seconds()), "seconds " + t.seconds());
            assertEquals(closedForm(3, 8, 16, 24, 2, true), t.flops(), 0);
        }
    }
}
