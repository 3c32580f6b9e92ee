package dev.attune;

import dev.attune.engine.Engine;
import dev.attune.model.HeadConfig;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PredictorTest {
    static final List<String> TEXTS = List.of("Win a free cruise now, click here!!!", "Lunch on Thursday? The usual place at noon.",
            "URGENT: verify your account password today");

    /** A model still in memory scores exactly as the directory it was saved to (fp32 weights round-trip exactly). */
    @Test
    void aModelInMemoryScoresAsItsSavedDirectory(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("model");
        try (Pretrained p = Pretrained.load("minilm-l6")) {
            var clf = SequenceClassifier.create(p.model(), new HeadConfig("mean", 0, "gelu", 0.1), List.of("ham", "spam"), 7);
            Pretrained.save(clf, p.tokenizer(), saved);
            for (boolean bf16 : Engine.cpuSupportsBf16() ? new boolean[] {false, true} : new boolean[] {false}) {
                try (Predictor inMemory = Predictor.of(clf, p.tokenizer(), saved, 64, 16, bf16);
                     Predictor loaded = Predictor.load(saved.toString(), 64, 16, bf16)) {
                    var a = inMemory.score(TEXTS);
                    var b = loaded.score(TEXTS);
                    for (int i = 0; i < TEXTS.size(); i++) {
                        assertArrayEquals(b.get(i).pooled(), a.get(i).pooled(), 0f, "pooled vector of text " + i + (bf16 ? " (bf16)" : ""));
                        assertEquals(b.get(i).prediction(), a.get(i).prediction());
                    }
                }
            }
            // closing the in-memory predictor left the model usable
            try (Predictor again = Predictor.of(clf, p.tokenizer(), saved, 64, 16, false)) {
                assertEquals(TEXTS.size(), again.predict(TEXTS).size());
            }
        }
    }
}
