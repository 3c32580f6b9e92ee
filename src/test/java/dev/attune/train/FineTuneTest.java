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
        RunSummary s = FineTune.run(RunConfig.parse(config(out.toString()), "test.yaml", List.of("data.extra_tests=[" + test + "]")));
        assertEquals(30, s.steps(), "2 epochs of 15 batches");
        // chance is 0.75 errors; worst measured error 0 under the AMX, AVX512-BF16, AVX512 and AVX2 instruction-set limits with 1 and 2 threads
        dev.attune.Tolerance.atMost("fine-tuned test error rate on four generated topics", 1 - s.test().accuracy(), 0.1);
        // the run folder describes itself
        for (String f : List.of("config.yaml", "metrics.jsonl", "summary.json", "provenance.json", "model/config.json",
                "model/model.safetensors", "model/tokenizer.json", "model/calibration.json")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(s.test().accuracy(), summary.path("test").path("accuracy").asDouble(), 1e-12);
        assertEquals(4, summary.path("test").path("confusion_matrix").size());
        assertTrue(summary.path("peak_rss_mb").asDouble() > 0);
        // the test file scored again as an extra test set gives the same numbers; the calibration is recorded
        assertEquals(s.test().accuracy(), summary.path("extra_tests").path(test.toString()).path("accuracy").asDouble(), 1e-12);
        assertTrue(summary.path("calibration").path("temperature").asDouble() > 0);
        assertTrue(summary.path("calibration").path("ece_after").asDouble() <= summary.path("calibration").path("ece_before").asDouble() + 0.02);
        JsonNode cfg = new ObjectMapper().readTree(out.resolve("model/config.json").toFile());
        assertEquals("cooking", cfg.path("id2label").path("0").asText());
        // a mean-pooled head is not Hugging Face's BertForSequenceClassification: saved under names its Auto classes refuse
        assertEquals("AttuneBertForSequenceClassification", cfg.path("architectures").path(0).asText());
        assertEquals("attune_bert", cfg.path("model_type").asText());
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
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.attune.AttuneException.class, () -> p.withMaxFlagRate(0.01));
            assertTrue(e.getMessage().startsWith("--max-flag-rate: needs a two-class model"), e.getMessage());
        }
    }

    @Test
    void twoFp32RunsWithTheSameSeedLogIdenticalLosses() throws Exception {
        List<Double> a = losses(runFor("det-a", 20)), b = losses(runFor("det-b", 20));
        assertEquals(20, a.size());
        assertEquals(a, b);
    }

    @Test
    void augmentedClassWeightedRunsRepeatForASeedAndDifferFromPlainOnes() throws Exception {
        // emails of the generated topics: a subject line and a body of two sentences, so crops and subjects differ
        Path emails = dir.resolve("emails.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(train)) {
            var o = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
            String t = o.get("text").asText();
            o.put("text", t + "\n" + t + ". " + new StringBuilder(t).reverse() + ".");
            rows.add(json.writeValueAsString(o));
        }
        Files.write(emails, rows);
        String[] augmented = {"data.train=" + emails, "data.augment=[crop,subject_only,case]", "data.augment_probability=0.8",
                "trainer.class_weights=balanced"};
        List<Double> a = losses(runFor("aug-a", 10, augmented)), b = losses(runFor("aug-b", 10, augmented)), plain = losses(runFor("plain", 10, "data.train=" + emails));
        assertEquals(a, b, "augmentation is drawn from the seed");
        org.junit.jupiter.api.Assertions.assertNotEquals(plain, a, "augmented texts change the losses");
    }

    @Test
    void extraTrainingFilesAddToTheTrainingSetAndItsProvenance() throws Exception {
        Path out = dir.resolve("extra-train");
        RunSummary s = FineTune.run(RunConfig.parse(config(out.toString()), "test.yaml",
                List.of("data.extra_train=[" + validation + "]", "data.extra_train_copies=2", "trainer.epochs=1", "output.save_model=false")));
        assertEquals(25, s.steps(), "one epoch of (240 + 2 · 80) / 16 batches");
        JsonNode provenance = new ObjectMapper().readTree(out.resolve("provenance.json").toFile());
        assertEquals(validation.toString(), provenance.path("data").path("extra_train_1").path("path").asText());
    }

    private Path runFor(String name, int steps, String... overrides) {
        Path out = dir.resolve(name);
        List<String> o = new ArrayList<>(List.of("trainer.max_steps=" + steps, "output.save_model=false"));
        o.addAll(List.of(overrides));
        FineTune.run(RunConfig.parse(config(out.toString()), "test.yaml", o));
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
