package dev.attune.report;

import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurvesTest {
    static final String LOG = """
            {"step":1,"loss":0.9}
            {"step":10,"eval_loss":0.6}
            {"step":20,"eval_loss":0.4}
            {"step":30,"eval_loss":0.3}
            {"step":40,"eval_loss":0.35}
            """;

    @Test
    void findsTheTargetStepAndTheMeanValidationLoss(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, LOG);
        Curves c;
        try (MetricsLog log = new MetricsLog(f, 1, Long.MAX_VALUE)) { // a resumed run picks up what was logged
            c = log.curves();
        }
        assertEquals(0.3, c.bestEvalLoss(), 0);
        assertEquals(30, c.firstStepReaching(0.3));
        assertEquals(20, c.firstStepReaching(0.45));
        assertEquals(-1, c.firstStepReaching(0.1));
        // trapezoids: (0.6+0.4)/2*10 + (0.4+0.3)/2*10 + (0.3+0.35)/2*10 = 11.75 over 30 steps
        assertEquals(11.75 / 30, c.evalLossArea(), 1e-12);
    }

    @Test
    void aResumedLogDropsTheStepsItWillRedoAndAFreshOneStartsEmpty(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, LOG + "{\"step\":45,\"lo");                              // the last line cut by a kill
        try (MetricsLog log = new MetricsLog(f, 1, 20)) {
            assertEquals(List.of(10.0, 20.0), log.curves().evalLoss().stream().map(p -> p[0]).toList());
        }
        assertEquals(3, Files.readAllLines(f).size(), "steps 1, 10 and 20 kept on disk");
        try (MetricsLog log = new MetricsLog(f, 1, 0)) {
            assertTrue(log.curves().evalLoss().isEmpty());
        }
        assertEquals("", Files.readString(f));
    }

    @Test
    void theSpeedUpIsTheBaselineStepsToItsBestLossOverTheAutomatedRunsStepsToThatLoss() {
        // baseline reaches its best 0.30 at step 30; the automated run reaches 0.30 first at step 20: 1.5x.
        // A second seed whose automated run never gets there counts as not reached.
        Curves base = new Curves(List.of(), List.of(new double[] {10, 0.6}, new double[] {20, 0.4}, new double[] {30, 0.3}));
        Curves fast = new Curves(List.of(), List.of(new double[] {10, 0.5}, new double[] {20, 0.29}, new double[] {30, 0.25}));
        Curves slow = new Curves(List.of(), List.of(new double[] {10, 0.7}, new double[] {20, 0.5}, new double[] {30, 0.31}));
        Curves base2 = new Curves(List.of(), List.of(new double[] {10, 0.5}, new double[] {20, 0.3}));
        Curves fast2 = new Curves(List.of(), List.of(new double[] {10, 0.3}, new double[] {20, 0.2}));
        RunConfig config = RunConfig.parse("data: {train: t.jsonl}\n", "c.yaml", List.of());
        var c = Comparison.of(Path.of("cmp"), config, false, false,
                List.of(run(1, base), run(2, base), run(3, base2)),
                List.of(run(1, fast), run(2, slow), run(3, fast2)),
                List.of());
        assertEquals(1.5, c.seeds().get(0).speedup(), 1e-12);
        assertEquals(-1, c.seeds().get(1).automatedSteps());
        assertTrue(Double.isNaN(c.seeds().get(1).speedup()));
        assertEquals(2.0, c.seeds().get(2).speedup(), 1e-12);
        assertEquals(2, c.reached());
        assertEquals(1.75, c.speedupMean(), 1e-12);
        assertEquals(Math.sqrt(0.125), c.speedupStd(), 1e-12, "sample standard deviation of 1.5 and 2.0");
    }

    private static Comparison.Run run(long seed, Curves curves) {
        RunSummary s = new RunSummary(Path.of("r"), null, Map.of(), Double.NaN, -1, 30, 10, 0.3, 1000, 100, "fp32",
                "completed", null, 0, 0, 0, curves, List.of(), 1e-4, 0, null, Map.of());
        return new Comparison.Run("run", seed, 1e-4, s);
    }

    @Test
    void layerRatesOfStepsToBeRedoneAreDroppedOnResumeAndRollback(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("layer_rates.jsonl");
        Files.writeString(f, """
                {"step":3,"layer":"classifier","multiplier":1.0,"learning_rate":1.0E-4}
                {"step":7,"layer":"classifier","multiplier":1.0,"learning_rate":1.0E-4}
                {"step":11,"layer":"classifier","multiplier":1.0,"learning_rate":1.0E-4}
                """);
        try (LayerRatesLog log = new LayerRatesLog(f, 8)) {
            assertEquals(2, Files.readAllLines(f).size(), "the refresh at step 11 will be made again");
            var refresh = new dev.attune.train.LayerRates.Refresh(11, List.of(new dev.attune.train.LayerRates.Refresh.Layer("classifier", 2.5, Double.NaN, Double.NaN, 2.0)),
                    2.5, 0, 1, 0.1);
            log.onRefresh(refresh, 1e-4);
            var kept = List.of(new dev.attune.train.LayerRate(3, "classifier", Double.NaN, Double.NaN, Double.NaN, 1.0, 1e-4),
                    new dev.attune.train.LayerRate(7, "classifier", Double.NaN, Double.NaN, Double.NaN, 1.0, 1e-4));
            var redone = new dev.attune.train.LayerRate(11, "classifier", 2.5, Double.NaN, Double.NaN, 2.0, 2e-4);
            assertEquals(List.of(kept.get(0), kept.get(1), redone), log.history(), "the whole run's history, the redone refresh once");
            assertTrue(Files.readAllLines(f).get(2).contains("\"alpha\":2.5"));
            log.onRollback(new dev.attune.train.Rollback(12, "loss NaN", 8, 1, 0.5));
            assertEquals(2, Files.readAllLines(f).size());
            assertEquals(kept, log.history());
        }
        Path none = dir.resolve("none.jsonl");
        try (LayerRatesLog log = new LayerRatesLog(none, 0)) {
            log.onRollback(new dev.attune.train.Rollback(5, "loss NaN", 0, 1, 0.5));
        }
        assertTrue(!Files.exists(none), "a run without refreshes writes no layer_rates.jsonl");
    }
}
