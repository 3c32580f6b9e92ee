package dev.attune;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayerNamesTest {
    @Test
    void readsTheLayerOutOfHuggingFaceParameterNames() {
        assertEquals("encoder.layer.11", LayerNames.layerOf("encoder.layer.11.attention.self.query.weight"));
        assertEquals("encoder.layer.3", LayerNames.layerOf("encoder.layer.3"));
        assertEquals("embeddings", LayerNames.layerOf("embeddings.LayerNorm.weight"));
        assertEquals("pre_classifier", LayerNames.layerOf("pre_classifier.bias"));
        assertEquals("classifier", LayerNames.layerOf("classifier"));
    }

    @Test
    void numbersOnlyEncoderBlocks() {
        assertEquals(11, LayerNames.encoderIndex("encoder.layer.11.output.dense.weight"));
        assertEquals(0, LayerNames.encoderIndex("encoder.layer.0"));
        assertEquals(-1, LayerNames.encoderIndex("embeddings.word_embeddings.weight"));
        assertEquals(-1, LayerNames.encoderIndex("encoder.layer.x.weight"));
        assertEquals("encoder.layer.5", LayerNames.encoderLayer(5));
    }
}
