package dev.attune.train;

import dev.attune.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.attune.config.RunConfig.Scheduler.CONSTANT;
import static dev.attune.config.RunConfig.Scheduler.COSINE;
import static dev.attune.config.RunConfig.Scheduler.LINEAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learning-rate schedule, ROC-AUC and parameter groups against hand-computed answers. */
class ScheduleAndMetricsTest {

    @Test
    void linearScheduleWarmsUpThenDecaysToZero() {
        // 10 updates, 2 of warmup (Hugging Face's get_linear_schedule_with_warmup, updates counted from 0)
        assertEquals(0.0, Schedule.factor(LINEAR, 1, 10, 2), 1e-15);
        assertEquals(0.5, Schedule.factor(LINEAR, 2, 10, 2), 1e-15);
        assertEquals(1.0, Schedule.factor(LINEAR, 3, 10, 2), 1e-15);
        assertEquals(0.125, Schedule.factor(LINEAR, 10, 10, 2), 1e-15);
    }

    @Test
    void cosineAndConstantSchedules() {
        assertEquals(0.5, Schedule.factor(COSINE, 7, 10, 2), 1e-15, "half-way through the decay: (1 + cos(pi/2)) / 2");
        assertEquals(1.0, Schedule.factor(COSINE, 3, 10, 2), 1e-15);
        assertEquals(1.0, Schedule.factor(CONSTANT, 10, 10, 2), 1e-15);
        assertEquals(0.5, Schedule.factor(CONSTANT, 2, 10, 2), 1e-15, "constant still warms up");
    }

    @Test
    void rocAucIsTheShareOfCorrectlyOrderedPairs() {
        // positives 0.35 and 0.8, negatives 0.1 and 0.4: of 4 pairs, 3 are ordered right
        assertEquals(0.75, ClassificationMetrics.rocAuc(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}), 1e-15);
        assertEquals(1.0, ClassificationMetrics.rocAuc(new double[] {0.1, 0.2, 0.9}, new boolean[] {false, false, true}), 1e-15);
        assertEquals(0.0, ClassificationMetrics.rocAuc(new double[] {0.9, 0.2, 0.1}, new boolean[] {false, true, true}), 1e-15);
        assertEquals(0.5, ClassificationMetrics.rocAuc(new double[] {0.3, 0.3, 0.3, 0.3}, new boolean[] {false, true, false, true}), 1e-15, "ties count half");
        assertTrue(Double.isNaN(ClassificationMetrics.rocAuc(new double[] {0.3, 0.4}, new boolean[] {true, true})));
    }

    @Test
    void parameterGroupsSplitEachLayerIntoDecayAndNoDecayAndLeaveFrozenOnesOut() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (String n : List.of("embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight", "encoder.layer.0.attention.self.query.weight",
                "encoder.layer.0.attention.self.query.bias", "encoder.layer.1.output.dense.weight", "classifier.weight", "classifier.bias")) {
            params.put(n, Tensor.fromFloats(new float[6], 2, 3));
        }
        ParameterGroups pg = ParameterGroups.build(params, List.of("embeddings"), 0.01);
        assertEquals(List.of("encoder.layer.0", "encoder.layer.0.no_decay", "encoder.layer.1", "classifier", "classifier.no_decay"),
                pg.groups().stream().map(dev.attune.engine.AdamW.Group::name).toList());
        assertEquals(List.of(0.01, 0.0, 0.01, 0.01, 0.0), pg.groups().stream().map(dev.attune.engine.AdamW.Group::weightDecay).toList());
        assertEquals(List.of("encoder.layer.0", "encoder.layer.0", "encoder.layer.1", "classifier", "classifier"), pg.layerOfGroup());
        assertEquals(List.of("embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight"), pg.frozen());
        assertEquals(5 * 6, pg.trainableParameters());
        assertFalse(params.get("embeddings.word_embeddings.weight").requiresGrad());
        assertTrue(params.get("classifier.bias").requiresGrad());
        var e = assertThrows(dev.attune.AttuneException.class, () -> ParameterGroups.build(params, List.of("decoder.*"), 0.01));
        assertEquals("model.freeze: pattern 'decoder.*' matches no parameter", e.getMessage());
    }
}
