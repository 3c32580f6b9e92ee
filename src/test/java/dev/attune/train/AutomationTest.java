package dev.attune.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.Compare;
import dev.attune.FineTune;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-layer rates from spectra inside a real (small) fine-tuning run, and the comparison report. */
class AutomationTest {
    @TempDir
    static Path dir;
    static Path train, validation, test;

    @BeforeAll
    static void writeData() throws Exception {
        train = SyntheticTopics.write(dir.resolve("train.jsonl"), 160, 1);
        validation = SyntheticTopics.write(dir.resolve("validation.jsonl"), 48, 2);
        test = SyntheticTopics.write(dir.resolve("test.jsonl"), 48, 3);
    }

    static RunConfig config(String out, String... overrides) {
        String yaml = """
                model:   {name: minilm-l6}
                data:    {train: %s, validation: %s, test: %s, max_length: 24}
                trainer: {learning_rate: 1.0e-4, batch_size: 16, epochs: 2, eval_steps: 5, logging_steps: 1, seed: 3, precision: fp32, warmup_ratio: 0.1}
                output:  {dir: %s}
                automation: {enabled: true, policy: tempbalance, refresh_steps: 4, min_multiplier: 0.5, max_multiplier: 1.5, analysis_budget: 0}
                """.formatted(train, validation, test, out);
        return RunConfig.parse(yaml, "automation.yaml", List.of(overrides));
    }

    @Test
    void refreshesLogEveryLayerAndKeepMultipliersInRange() throws Exception {
        Path out = dir.resolve("auto");
        RunSummary s = FineTune.run(config(out.toString()));
        assertEquals(20, s.steps());
        // warmup is 2 steps; refreshes at steps 3, 7, 11, 15, 19
        assertEquals(5, s.refreshes());
        ObjectMapper json = new ObjectMapper();
        Map<Long, Integer> layersPerRefresh = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("layer_rates.jsonl"))) {
            JsonNode n = json.readTree(line);
            layersPerRefresh.merge(n.get("step").asLong(), 1, Integer::sum);
            double m = n.get("multiplier").asDouble();
            // the update so far is small but not nothing: Adam moves each weight by about the rate per step
            if (n.get("layer").asText().startsWith("encoder.layer.")) {
                double change = n.get("relative_change").asDouble();
                assertTrue(change > 1e-6 && change < 0.05, "relative change " + change + ": " + line);
            }
            if (n.has("alpha")) assertTrue(m >= 0.5 - 1e-9 && m <= 1.5 + 1e-9, line);
            else assertEquals(1.0, m, 0, "no fit, base rate: " + line);
        }
        assertEquals(List.of(3L, 7L, 11L, 15L, 19L), layersPerRefresh.keySet().stream().sorted().toList());
        // embeddings, six encoder layers, classifier
        layersPerRefresh.values().forEach(n -> assertEquals(8, n));
        long alphaLines = Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> l.contains("alpha_mean")).count();
        assertEquals(5, alphaLines);
        JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
        assertTrue(summary.get("analysis_overhead").asDouble() > 0);
        // still learns (chance is 0.75 errors); worst measured error 0 under the AMX, AVX512-BF16, AVX512 and AVX2 instruction-set limits with 1 and 2 threads
        dev.attune.Tolerance.atMost("automated run's test error rate", 1 - s.test().accuracy(), 0.5);
    }

    @Test
    void compareWritesTheReportFiles() throws Exception {
        Path out = dir.resolve("compare");
        var r = Compare.run(config(out.toString(), "trainer.max_steps=10", "automation.policy=auto"), 1, Compare.Against.SAME_RATE, out);
        for (String f : List.of("compare.json", "report.html", "seed-3/baseline/summary.json", "seed-3/automated/layer_rates.jsonl")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        JsonNode c = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertTrue(c.get("mean_std").has("speedup"));
        assertEquals(1, c.get("per_seed").size());
        assertEquals(r.seeds().get(0).baselineSteps(), c.get("per_seed").get(0).get("baseline_steps_to_target").asLong());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("new uPlot("), "interactive charts");
    }

    @Test
    void withoutARateTheSearchRacesTheSweptRatesAndTheChosenCandidateContinuesIntoTheRun() throws Exception {
        Path out = dir.resolve("race");
        // 20 steps, evaluations every 5: six candidates to step 5, two to step 10, the chosen one on to 20
        RunSummary s = FineTune.run(config(out.toString(), "trainer.learning_rate=auto", "automation.policy=auto", "automation.curvature_steps=4"));
        JsonNode search = new ObjectMapper().readTree(out.resolve("rate_search.json").toFile());
        assertEquals(6, search.get("candidates").size());
        long extra = 0, atStage2 = 0;
        for (JsonNode arm : search.get("candidates")) {
            boolean chosen = arm.get("learning_rate").asDouble() == search.get("chosen_learning_rate").asDouble();
            assertEquals(arm.get("stages").asInt() == 1 ? 5 : 10, arm.get("steps").asLong(), arm.toString());
            if (arm.get("stages").asInt() == 2) atStage2++;
            if (!chosen) extra += arm.get("steps").asLong();
        }
        assertEquals(2, atStage2);
        assertEquals(4 * 5 + 10, extra, "four candidates stopped at 5 steps, the other survivor at 10");
        assertEquals(s.learningRate(), search.get("chosen_learning_rate").asDouble());
        assertEquals(20, s.steps());
        // the probe's forward passes count a third of a step each: measured at steps 4, 8, ... of the final segment
        long probes = Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> l.contains("curvature_losses")).count();
        assertTrue(probes >= 2, "curvature measured after step 10");
        assertEquals(extra, s.searchCostSteps(), 3.0 * 20 / 4 / 3 + 1e-9, "search steps plus at most the probes' third-steps");
        assertTrue(s.searchCostSteps() > extra, "the probes' forward passes are counted");
        // the run's curve starts at the beginning: the chosen candidate's first stages are part of it
        assertEquals(5.0, s.curves().evalLoss().get(0)[0]);
        assertEquals(4, s.curves().evalLoss().size(), "evaluations at 5, 10, 15, 20");
        JsonNode config = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(out.resolve("config.yaml").toFile());
        assertEquals(s.learningRate(), config.get("trainer").get("learning_rate").asDouble(), "config.yaml records the chosen rate");
        assertTrue(Files.exists(out.resolve("model/model.safetensors")));
    }
}
