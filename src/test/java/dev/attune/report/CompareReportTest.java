package dev.attune.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import dev.attune.train.LayerRate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison against a sweep: its cost accounting on hand-made curves, compare.json, and report.html in a real browser. */
class CompareReportTest {
    /** Six sweep runs of 100 steps; the best (1e-4) reaches its best loss 0.30 at step 60. */
    static Comparison comparison(Path dir) {
        List<Comparison.Run> sweep = new ArrayList<>();
        double[] rates = {1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4};
        double[] best = {0.8, 0.6, 0.4, 0.3, 0.35, 0.5};
        for (int i = 0; i < rates.length; i++) {
            List<double[]> eval = new ArrayList<>();
            for (int s = 10; s <= 100; s += 10) eval.add(new double[] {s, s >= 60 ? best[i] : best[i] + 0.01 * (60 - s)});
            sweep.add(run("sweep", rates[i], 100, 0, new Curves(List.of(new double[] {5, 1.0}, new double[] {10, 0.9}), eval), dir.resolve("sweep/" + i)));
        }
        // the automated run: its rate search cost 90 extra steps, and it reaches 0.30 at step 40
        List<double[]> eval = new ArrayList<>();
        for (int s = 10; s <= 100; s += 10) eval.add(new double[] {s, s >= 40 ? 0.28 : 0.5});
        Comparison.Run auto = run("automated", 2e-4, 100, 90, new Curves(List.of(new double[] {5, 1.0}), eval), dir.resolve("auto"));
        RunConfig config = RunConfig.parse("data: {train: data/x/train.jsonl}\n", "c.yaml", List.of());
        return Comparison.of(dir, config, true, true, List.of(Comparison.best(sweep)), List.of(auto), sweep);
    }

    static Comparison.Run run(String label, double rate, long steps, double searchCost, Curves curves, Path runDir) {
        List<LayerRate> rates = List.of(new LayerRate(10, "encoder.layer.0", 2.1, 3.0, 0.001, 0.9, rate * 0.9), new LayerRate(10, "classifier", Double.NaN, Double.NaN, 0.5, 1, rate),
                new LayerRate(20, "encoder.layer.0", 2.0, 2.8, 0.002, 1.1, rate * 1.1), new LayerRate(20, "classifier", Double.NaN, Double.NaN, 0.7, 1, rate));
        RunSummary s = new RunSummary(runDir, null, Map.of(), curves.bestEvalLoss(), -1, steps, 10, 0.1, 1000, 100, "fp32",
                "completed", null, 0.1, 2, 0, curves, label.equals("automated") ? rates : List.of(), rate, searchCost, null, Map.of());
        return new Comparison.Run(label, 7, rate, s);
    }

    @Test
    void tuningSpeedupIsTheSweepsStepsOverTheSearchPlusTheStepsToTheBestSweptLoss() {
        Comparison c = comparison(Path.of("cmp"));
        assertEquals(1e-4, c.bestSweep().learningRate());
        assertEquals(600, c.sweepCostSteps());
        Comparison.SeedResult s = c.seeds().get(0);
        assertEquals(0.30, s.targetLoss(), 1e-12);
        assertEquals(40, s.automatedSteps());
        assertEquals(60.0 / 40, s.speedup(), 1e-12, "steps_speedup_vs_best");
        assertEquals(90 + 40, s.autoCostSteps(), 1e-12, "the search's cost is counted");
        assertEquals(600 / 130.0, s.tuningSpeedup(), 1e-12);
    }

    @Test
    void compareJsonNamesEveryNumberOfTheSweepComparison(@TempDir Path dir) throws Exception {
        CompareReport.write(comparison(dir));
        JsonNode root = new ObjectMapper().readTree(dir.resolve("compare.json").toFile());
        assertEquals("sweep", root.get("against").asText());
        assertEquals(600, root.get("sweep_cost_steps").asInt());
        JsonNode seed = root.get("per_seed").get(0);
        assertEquals(130, seed.get("auto_cost_steps").asDouble(), 1e-9);
        assertEquals(600 / 130.0, seed.get("tuning_speedup").asDouble(), 1e-9);
        assertEquals(1.5, seed.get("steps_speedup_vs_best").asDouble(), 1e-9);
        assertEquals(6, root.get("sweep").get("runs").size());
        assertEquals(600 / 130.0, root.get("mean_std").get("tuning_speedup").get("mean").asDouble(), 1e-9);
    }

    @Test
    void theReportLoadsInAHeadlessBrowserWithoutErrorsAndDrawsItsSixCharts(@TempDir Path dir) throws Exception {
        CompareReport.write(comparison(dir));
        String html = Files.readString(dir.resolve("report.html"));
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "nothing is fetched when the page is viewed");
        assertTrue(html.contains("4.6&times; less tuning cost"), "the headline states the tuning speed-up");
        String browser = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
        Assumptions.assumeTrue(browser != null, "Debian's chromium is not installed (.ci/run installs it)");
        Process p = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile"), "--virtual-time-budget=5000", "--dump-dom",
                dir.resolve("report.html").toUri().toString()).redirectError(dir.resolve("chromium.log").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the browser finished");
        Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
        assertTrue(body.find(), "a page was rendered: " + dom.substring(0, Math.min(300, dom.length())));
        assertFalse(body.group(1).contains("data-errors"), "no script error: " + body.group(1));
        assertTrue(body.group(1).contains("data-charts=\"6\""), "six charts drawn: " + body.group(1));
        assertEquals(6, dom.split("class=\"uplot").length - 1, "six uPlot charts in the page");
    }
}
