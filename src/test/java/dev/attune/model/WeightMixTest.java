package dev.attune.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weight-space ensembling by hand-computed values. */
class WeightMixTest {
    static WeightArray w(String name, float... v) {
        return new WeightArray(name, new long[] {v.length}, v);
    }

    @Test
    void mixesEncoderTensorsByNameAndKeepsTheHead() {
        Map<String, WeightArray> ft = new LinkedHashMap<>();
        ft.put("bert.encoder.layer.0.output.dense.bias", w("bert.encoder.layer.0.output.dense.bias", 1, 2));
        ft.put("classifier.bias", w("classifier.bias", 5, 6));
        Map<String, WeightArray> pre = Map.of("encoder.layer.0.output.dense.bias", w("encoder.layer.0.output.dense.bias", 3, -2));
        Map<String, WeightArray> m = WeightMix.mix(ft, pre, 0.25);
        assertArrayEquals(new float[] {1.5f, 1f}, m.get("bert.encoder.layer.0.output.dense.bias").data(), 1e-6f); // 0.75·ft + 0.25·pre
        assertSame(ft.get("classifier.bias"), m.get("classifier.bias"));
        assertArrayEquals(new float[] {1, 2}, WeightMix.mix(ft, pre, 0).get("bert.encoder.layer.0.output.dense.bias").data());
        assertArrayEquals(new float[] {3, -2}, WeightMix.mix(ft, pre, 1).get("bert.encoder.layer.0.output.dense.bias").data());
    }

    @Test
    void refusesOtherShapesModelsWithNothingInCommonAndBadFractions() {
        Map<String, WeightArray> ft = Map.of("bert.pooler.dense.bias", w("bert.pooler.dense.bias", 1, 2));
        var e = assertThrows(WeightFormatException.class, () -> WeightMix.mix(ft, Map.of("pooler.dense.bias", w("pooler.dense.bias", 1, 2, 3)), 0.5));
        assertTrue(e.getMessage().startsWith("tensor bert.pooler.dense.bias: fine-tuned shape [2] but pretrained [3]"), e.getMessage());
        assertThrows(WeightFormatException.class, () -> WeightMix.mix(ft, Map.of("other", w("other", 1)), 0.5));
        assertThrows(IllegalArgumentException.class, () -> WeightMix.mix(ft, ft, 1.5));
    }
}
