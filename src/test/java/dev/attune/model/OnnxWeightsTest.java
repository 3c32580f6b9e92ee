package dev.attune.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxWeightsTest {

    @Test
    void namesAnonymousMatMulWeightsByTheirConsumingNode() {
        assertEquals("encoder.layer.3.attention.self.query.weight",
                OnnxWeights.parameterNameOf("/encoder/layer.3/attention/self/query/MatMul"));
        assertEquals("encoder.layer.0.intermediate.dense.weight",
                OnnxWeights.parameterNameOf("/encoder/layer.0/intermediate/dense/MatMul"));
    }

    @Test
    void readsEveryEncoderTensorOfMiniLmWithHuggingFaceShapes() {
        Map<String, WeightArray> w = OnnxWeights.read(ModelCatalog.resolve("minilm-l6").resolve("model.onnx"));
        assertEquals(5 + 6 * 16, w.size());
        assertArrayEquals(new long[] {1536, 384}, w.get("encoder.layer.5.intermediate.dense.weight").shape());
        assertArrayEquals(new long[] {384, 1536}, w.get("encoder.layer.5.output.dense.weight").shape());
        assertArrayEquals(new long[] {30522, 384}, w.get("embeddings.word_embeddings.weight").shape());
        assertTrue(w.keySet().stream().noneMatch(n -> n.startsWith("onnx::")));
    }

    @Test
    void transposesTwoDimensionalWeights() {
        WeightArray w = new WeightArray("x", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        WeightArray t = w.transposed();
        assertArrayEquals(new long[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.data());
    }
}
