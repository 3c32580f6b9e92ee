package dev.attune.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.FineTune;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import dev.attune.Predictor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end fine-tuning on a generated four-topic dataset with the real minilm-l6 weights. */
class FineTuneTest {
    @TempDir
    static Path dir;
    static Path train, validation, test;

    @BeforeAll
    static void writeData() throws Exception {
        train = SyntheticTopics.write(dir.resolve("train.jsonl"), 240, 1);
        validation = SyntheticTopics.write(dir.resolve("validation.jsonl"), 80, 2);
        test = SyntheticTopics.write(dir.resolve("test.jsonl"), 80, 3);
    }

    static String config(String out) {
        return """
                model:   {name: minilm-l6, pooling: mean}
                data:    {train: %s, validation: %s, test: %s, max_length: 24}
                trainer: {learning_rate: 1.0e-4, batch_size: 16, eval_batch_size: 64, epochs: 2, eval_steps: 10, logging_steps: 1, seed: 7, precision: fp32}
                output:  {dir: %s}
                """.formatted(train, validation, test, out);
    }

    @Test
    void learnsAGeneratedFourClassDatasetFarAboveChance() throws Exception {
        Path out = dir.resolve("run-learn");
        RunSummary s = FineTune.run(RunConfig.parse(config(out.toString()), "test.yaml", List.of()));
        assertEquals(30, s.steps(), "2 epochs of 15 batches");
        // chance is 0.75 errors; worst measured error 0 under the AMX, AVX512-BF16, AVX512 and AVX2 instruction-set limits with 1 and 2 threads
        dev.attune.Tolerance.atMost("fine-tuned test error rate on four generated topics", 1 - s.test().accuracy(), 0.1);
        // the run folder describes itself
        for (String f : List.of("config.yaml", "metrics.jsonl", "summary.json", "provenance.json", "model/config.json",
                "model/model.safetensors", "model/tokenizer.json")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(s.test().accuracy(), summary.path("test").path("accuracy").asDouble(), 1e-12);
        assertEquals(4, summary.path("test").path("confusion_matrix").size());
        assertTrue(summary.path("peak_rss_mb").asDouble() > 0);
        JsonNode cfg = new ObjectMapper().readTree(out.resolve("model/config.json").toFile());
        assertEquals("cooking", cfg.path("id2label").path("0").asText());
        assertEquals("BertForSequenceClassification", cfg.path("architectures").path(0).asText());
        // the exported model reloads and predicts the same as the in-memory one did
        var testData = dev.attune.data.DatasetReader.read(test, "text", "label");
        try (Predictor p = Predictor.load(out.resolve("model").toString(), 24, 64, false)) {
            assertEquals(s.test().accuracy(), p.evaluate(testData).accuracy(), 1e-12);
            var texts = testData.examples().stream().map(dev.attune.data.Example::text).toList();
            var predictions = p.predict(texts);
            long right = 0;
            for (int i = 0; i < texts.size(); i++) {
                var probs = predictions.get(i).probabilities();
                assertEquals(1.0, probs.values().stream().mapToDouble(Float::doubleValue).sum(), 1e-5, "probabilities sum to 1");
                assertEquals(probs.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey(),
                        predictions.get(i).label(), "the label is the most probable one");
                if (predictions.get(i).label().equals(testData.examples().get(i).label())) right++;
            }
            assertEquals(s.test().accuracy(), right / (double) texts.size(), 1e-12, "predict agrees with evaluate");
        }
    }

    @Test
    void twoFp32RunsWithTheSameSeedLogIdenticalLosses() throws Exception {
        List<Double> a = losses(runFor("det-a", 20)), b = losses(runFor("det-b", 20));
        assertEquals(20, a.size());
        assertEquals(a, b);
    }

    private Path runFor(String name, int steps) {
        Path out = dir.resolve(name);
        FineTune.run(RunConfig.parse(config(out.toString()), "test.yaml", List.of("trainer.max_steps=" + steps, "output.save_model=false")));
        return out;
    }

    static List<Double> losses(Path run) throws Exception {
        List<Double> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.has("loss")) out.add(n.get("loss").asDouble());
        }
        return out;
    }
}
