package dev.attune.train;

import dev.attune.data.DatasetReader;
import dev.attune.data.EncodedDataset;
import dev.attune.model.HeadConfig;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningRateFinderTest {

    @Test
    void probesIncreasingRatesPicksOneBelowTheMinimumAndRestoresTheWeights(@TempDir Path dir) throws Exception {
        Path train = SyntheticTopics.write(dir.resolve("train.jsonl"), 160, 1);
        try (Pretrained p = Pretrained.load("minilm-l6")) {
            var ds = DatasetReader.read(train, "text", "label");
            List<String> labels = List.of("cooking", "finance", "sports", "weather");
            SequenceClassifier model = SequenceClassifier.create(p.model(), new HeadConfig("mean", 0, "gelu", 0.1), labels, 1);
            EncodedDataset enc = EncodedDataset.encode(ds, p.tokenizer(), labels, 24);
            Map<String, float[]> before = new LinkedHashMap<>();
            model.parameters().forEach((n, t) -> before.put(n, t.toFloats()));

            var r = LearningRateFinder.find(model, enc, 16, false, 5, List.of(), 1e-6, 1e-2, 20);

            assertTrue(r.points().size() >= 5, "probes: " + r.points().size());
            for (int i = 1; i < r.points().size(); i++) {
                assertTrue(r.points().get(i).learningRate() > r.points().get(i - 1).learningRate());
            }
            double minimumRate = r.points().stream().min((a, b) -> Double.compare(a.smoothed(), b.smoothed())).orElseThrow().learningRate();
            assertEquals(minimumRate / 10, r.chosen(), 1e-15);
            model.parameters().forEach((n, t) -> assertArrayEquals(before.get(n), t.toFloats(), n));
        }
    }
}
