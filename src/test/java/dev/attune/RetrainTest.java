package dev.attune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.config.RunConfig;
import dev.attune.model.TinyModels;
import dev.attune.serve.PredictionLog;
import dev.attune.serve.Registry;
import dev.attune.train.SyntheticTopics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retrain recipe on a tiny random BERT and generated topics: feedback split into training and held-back parts,
 * a candidate trained with the automated rate, both models scored, and the registry promoted exactly when the
 * candidate is better on held-back feedback and keeps the frozen test accuracy.
 */
class RetrainTest {
    @TempDir
    Path dir;

    static java.util.Set<String> ids(Path jsonl) throws Exception {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String line : Files.readAllLines(jsonl)) out.add(new ObjectMapper().readTree(line).path("id").asText());
        return out;
    }

    @Test
    void promotesOnlyWhatTheScoresJustify() throws Exception {
        var c = TinyModels.config(30522);
        Path tiny = TinyModels.write(dir.resolve("tiny"), c, TinyModels.randomWeights(c, 3));
        Path train = SyntheticTopics.write(dir.resolve("train.jsonl"), 96, 1);
        Path validation = SyntheticTopics.write(dir.resolve("validation.jsonl"), 32, 2);
        Path test = SyntheticTopics.write(dir.resolve("test.jsonl"), 32, 3);
        RunConfig config = RunConfig.parse("""
                model:   {name: %s, pooling: mean}
                data:    {train: %s, validation: %s, test: %s, max_length: 16}
                trainer: {learning_rate: 1.0e-3, batch_size: 16, epochs: 2, eval_steps: 4, seed: 5, precision: fp32}
                output:  {dir: %s}
                """.formatted(tiny, train, validation, test, dir.resolve("v1")), "test.yaml", List.of());
        RunSummary v1 = FineTune.run(config);
        Registry registry = Registry.open(dir.resolve("registry"));
        registry.promote(registry.add(v1.modelDir()));

        String[] labels = {"sports", "weather", "cooking", "finance"};
        List<String> texts = SyntheticTopics.sentences(60, 9, 0, 1, 2, 3);
        List<PredictionLog.Labelled> feedback = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) feedback.add(new PredictionLog.Labelled("f" + i, texts.get(i), labels[i % 4], "sports"));

        var e = assertThrows(AttuneException.class, () -> Retrain.run(registry, config, feedback.subList(0, 12), "a small log", List.of(), 0.3, 0.005, dir.resolve("r0")));
        assertTrue(e.getMessage().contains("a small log has 12 predictions with feedback"), e.getMessage());

        Retrain.Outcome o = Retrain.run(registry, config, feedback, "test", List.of(), 0.3, 0.005, dir.resolve("retrain"));
        assertEquals(60, o.feedbackTrain() + o.feedbackHeldBack());
        assertTrue(o.feedbackHeldBack() >= 10 && o.feedbackHeldBack() <= 30, "about 30% held back: " + o.feedbackHeldBack());
        assertEquals("v1", o.inService());
        assertEquals("v2", o.candidate());
        var fb = o.scores().get("held-back feedback");
        var frozen = o.scores().get("frozen test set");
        assertEquals(o.feedbackHeldBack(), fb[0].examples());
        boolean justified = fb[1].accuracy() > fb[0].accuracy() && frozen[1].accuracy() >= frozen[0].accuracy() - 0.005;
        assertEquals(justified, o.promoted(), o.reason());
        assertEquals(o.promoted() ? "v2" : "v1", registry.current());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("retrain/retrain.json").toFile());
        assertEquals(o.promoted(), report.path("promoted").asBoolean());
        assertEquals(fb[1].accuracy(), report.path("scores").path("held-back feedback").path("candidate_accuracy").asDouble(), 1e-12);
        assertTrue(Files.readString(dir.resolve("retrain/retrain.html")).contains(o.promoted() ? "promoted" : "not promoted"));
        var trainedIds = ids(dir.resolve("retrain/feedback-train.jsonl"));
        var heldIds = ids(dir.resolve("retrain/feedback-held-back.jsonl"));
        assertEquals(60, trainedIds.size() + heldIds.size());
        trainedIds.retainAll(heldIds);
        assertTrue(trainedIds.isEmpty(), "no held-back feedback is trained on: " + trainedIds);
    }
}
