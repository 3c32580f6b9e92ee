package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.MeanStd;
import dev.attune.config.RunConfig;
import dev.attune.report.Comparison.SeedResult;
import dev.attune.train.LayerRate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Renders a {@link Comparison}: its numbers (compare.json) and report.html, one self-contained page with the headline
 * result in a sentence, a table, interactive charts (uPlot, inlined: hover for values, click a legend entry to hide a
 * run; log axes labelled in plain numbers) and links to each run's files.
 */
public final class CompareReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private CompareReport() {}

    /** Writes compare.json and report.html into the comparison's directory. */
    public static void write(Comparison c) throws IOException {
        Files.createDirectories(c.dir());
        ObjectNode root = json(c);
        RunFiles.writeAtomically(c.dir().resolve("compare.json"), JSON.writeValueAsString(root));
        RunFiles.writeAtomically(c.dir().resolve("report.html"), html(c));
    }

    static ObjectNode json(Comparison c) {
        RunConfig config = c.config();
        List<SeedResult> seeds = c.seeds();
        ObjectNode root = JSON.createObjectNode();
        root.put("against", c.againstSweep() ? "sweep" : c.tuningFree() ? "configured_rate" : "same_rate");
        root.put("model", config.model().name());
        root.put("policy", config.automation().policy().key());
        root.put("seeds", seeds.size());
        root.put("seeds_reaching_target", c.reached());
        root.put("definition", c.againstSweep()
                ? "baseline = the best rate of a uniform sweep (one seed, by best validation loss), run at every seed; automated = "
                + "no rate given (learning_rate: auto, per-layer rates); steps_speedup_vs_best = the baseline's steps to its best validation "
                + "loss / the automated run's steps to that loss; auto_cost_steps = the automated run's rate search (other candidates' "
                + "steps) + its steps to that loss; tuning_speedup = sweep_cost_steps / auto_cost_steps; evaluations every "
                + config.trainer().evalSteps() + " steps"
                : "speedup = steps the baseline needed to reach its best validation loss / steps the automated run needed to reach "
                + "that loss, both at learning rate " + config.trainer().learningRate() + " (evaluations every " + config.trainer().evalSteps() + " steps)");
        String speedupKey = c.againstSweep() ? "steps_speedup_vs_best" : "speedup";
        if (c.againstSweep()) root.put("sweep_cost_steps", c.sweepCostSteps());
        ArrayNode per = root.putArray("per_seed");
        for (int i = 0; i < seeds.size(); i++) {
            SeedResult s = seeds.get(i);
            ObjectNode o = per.addObject();
            o.put("seed", s.seed());
            o.put("baseline_learning_rate", s.baselineRate());
            o.put("automated_learning_rate", s.automatedRate());
            o.put("target_validation_loss", s.targetLoss());
            putNumber(o, "automated_best_validation_loss", c.automated().get(i).curves().bestEvalLoss());
            o.put("baseline_steps_to_target", s.baselineSteps());
            if (s.automatedSteps() > 0) o.put("automated_steps_to_target", s.automatedSteps());
            else o.putNull("automated_steps_to_target");
            putNumber(o, speedupKey, s.speedup());
            if (c.againstSweep()) {
                o.put("search_cost_steps", s.searchCostSteps());
                putNumber(o, "auto_cost_steps", s.autoCostSteps());
                putNumber(o, "tuning_speedup", s.tuningSpeedup());
            }
            o.put("baseline_test_accuracy", s.baselineAccuracy());
            o.put("automated_test_accuracy", s.automatedAccuracy());
            o.put("baseline_test_f1_macro", s.baselineF1());
            o.put("automated_test_f1_macro", s.automatedF1());
            o.put("baseline_validation_loss_area", s.baselineArea());
            o.put("automated_validation_loss_area", s.automatedArea());
            o.put("baseline_train_seconds", s.baselineSeconds());
            o.put("automated_train_seconds", s.automatedSeconds());
            o.put("analysis_overhead", s.analysisOverhead());
        }
        ObjectNode agg = root.putObject("mean_std");
        agg(agg, speedupKey, seeds, SeedResult::speedup);
        if (c.againstSweep()) {
            agg(agg, "tuning_speedup", seeds, SeedResult::tuningSpeedup);
            agg(agg, "auto_cost_steps", seeds, SeedResult::autoCostSteps);
            agg(agg, "automated_learning_rate", seeds, SeedResult::automatedRate);
        }
        agg(agg, "baseline_test_accuracy", seeds, SeedResult::baselineAccuracy);
        agg(agg, "automated_test_accuracy", seeds, SeedResult::automatedAccuracy);
        agg(agg, "baseline_test_f1_macro", seeds, SeedResult::baselineF1);
        agg(agg, "automated_test_f1_macro", seeds, SeedResult::automatedF1);
        agg(agg, "baseline_train_seconds", seeds, SeedResult::baselineSeconds);
        agg(agg, "automated_train_seconds", seeds, SeedResult::automatedSeconds);
        agg(agg, "analysis_overhead", seeds, SeedResult::analysisOverhead);
        if (c.againstSweep()) {
            ObjectNode sw = root.putObject("sweep");
            ArrayNode runs = sw.putArray("runs");
            for (Comparison.Run r : c.sweep()) {
                ObjectNode o = runs.addObject();
                o.put("learning_rate", r.learningRate());
                putNumber(o, "best_validation_loss", r.curves().bestEvalLoss());
                o.put("steps_to_best", r.curves().firstStepReaching(r.curves().bestEvalLoss()));
                o.put("steps", r.summary().steps());
                putNumber(o, "test_accuracy", r.summary().test() == null ? Double.NaN : r.summary().test().accuracy());
                o.put("status", r.summary().test() == null ? "failed" : "completed");
            }
            sw.put("best_learning_rate", c.bestSweep().learningRate());
        }
        return root;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (!Double.isFinite(v)) o.putNull(key);
        else o.put(key, v);
    }

    private static void agg(ObjectNode o, String key, List<SeedResult> seeds, ToDoubleFunction<SeedResult> f) {
        MeanStd ms = MeanStd.sample(seeds.stream().mapToDouble(f).filter(Double::isFinite).toArray());
        ObjectNode n = o.putObject(key);
        putNumber(n, "mean", ms.mean());
        putNumber(n, "std", ms.std());
    }

    /** The headline: what the automated run achieved against its yardstick, in one sentence. */
    public static String headline(Comparison c) {
        RunConfig config = c.config();
        MeanStd accB = MeanStd.sample(c.seeds().stream().mapToDouble(SeedResult::baselineAccuracy).filter(Double::isFinite).toArray());
        MeanStd accA = MeanStd.sample(c.seeds().stream().mapToDouble(SeedResult::automatedAccuracy).filter(Double::isFinite).toArray());
        String acc = String.format(Locale.ROOT, "test accuracy %.4f for the automated run against %.4f", accA.mean(), accB.mean());
        if (c.againstSweep()) {
            String tuning = Double.isFinite(c.tuningSpeedupMean())
                    ? String.format(Locale.ROOT, "reached the best swept rate's (%s) best validation loss for %.1f&times; less tuning cost than the %d-run sweep (%d of %d seeds)",
                    rate(c.bestSweep().learningRate()), c.tuningSpeedupMean(), c.sweep().size(), c.reached(), c.seeds().size())
                    : String.format(Locale.ROOT, "did not reach the best swept rate's (%s) best validation loss on any seed", rate(c.bestSweep().learningRate()));
            return "Without a learning rate given, attune " + tuning + "; " + acc + ".";
        }
        String speed = c.reached() > 0
                ? String.format(Locale.ROOT, "reached the baseline's best validation loss in %.2f&times; fewer steps (%d of %d seeds)", c.speedupMean(), c.reached(), c.seeds().size())
                : "did not reach the baseline's best validation loss";
        if (c.tuningFree()) {
            SeedResult s = c.seeds().get(0);
            String reached = s.automatedSteps() > 0
                    ? String.format(Locale.ROOT, "reached the plain run's best validation loss after %d steps plus %.0f steps of rate search, against %d steps for the plain run",
                    s.automatedSteps(), s.searchCostSteps(), s.baselineSteps())
                    : "did not reach the plain run's best validation loss";
            return "Without a learning rate given, attune chose " + rate(s.automatedRate()) + " and " + reached + " at the configured "
                    + rate(config.trainer().learningRate()) + (c.seeds().size() > 1 ? " (seed " + s.seed() + ")" : "") + "; " + acc + ".";
        }
        return "At the same base rate (" + rate(config.trainer().learningRate()) + "), the automated run (" + config.automation().policy().key()
                + ") " + speed + "; " + acc + ".";
    }

    private static String rate(double r) {
        return String.format(Locale.ROOT, "%.0e", r).replace("e-0", "e-");
    }

    private static String html(Comparison c) throws IOException {
        RunConfig config = c.config();
        StringBuilder rows = new StringBuilder();
        for (SeedResult s : c.seeds()) {
            rows.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%.4f</td><td>%d</td><td>%s</td><td>%s</td>%s"
                            + "<td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.0f</td><td>%.0f</td><td>%.1f%%</td></tr>%n",
                    s.seed(), rate(s.baselineRate()), rate(s.automatedRate()), s.targetLoss(), s.baselineSteps(),
                    s.automatedSteps() > 0 ? String.valueOf(s.automatedSteps()) : "not reached", times(s.speedup()),
                    c.againstSweep() ? String.format(Locale.ROOT, "<td>%.0f</td><td>%s</td><td>%s</td>", s.searchCostSteps(),
                            Double.isFinite(s.autoCostSteps()) ? String.format(Locale.ROOT, "%.0f", s.autoCostSteps()) : "&ndash;", times(s.tuningSpeedup())) : "",
                    s.baselineAccuracy(), s.automatedAccuracy(), s.baselineF1(), s.automatedF1(),
                    s.baselineSeconds(), s.automatedSeconds(), 100 * s.analysisOverhead()));
        }
        StringBuilder links = new StringBuilder();
        List<Comparison.Run> all = new ArrayList<>(c.sweep());
        all.addAll(c.baselines().stream().filter(r -> !c.sweep().contains(r)).toList());
        all.addAll(c.automated());
        for (Comparison.Run r : all) {
            Path rel = c.dir().toAbsolutePath().relativize(r.summary().runDir().toAbsolutePath());
            String base = rel.toString().replace('\\', '/');
            links.append(String.format(Locale.ROOT, "<li>%s, seed %d, lr %s: <a href=\"%s/summary.json\">summary.json</a> &middot; "
                    + "<a href=\"%s/metrics.jsonl\">metrics.jsonl</a> &middot; <a href=\"%s/config.yaml\">config.yaml</a>%s</li>%n",
                    esc(r.label()), r.seed(), rate(r.learningRate()), base, base, base,
                    r.summary().searchCostSteps() > 0 ? " &middot; <a href=\"" + base + "/rate_search.json\">rate_search.json</a>" : ""));
        }
        String sweepHeader = c.againstSweep() ? "<th>search cost (steps)</th><th>auto cost (steps)</th><th>tuning speed-up</th>" : "";
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>attune: %s</title>
                <style>%s
                body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;color:#222;line-height:1.4}
                table{border-collapse:collapse;margin:1em 0;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
                .wide{overflow-x:auto}
                th{background:#f4f4f4}.headline{font-size:1.25em;background:#f3f7ff;padding:.8em 1em;border-left:4px solid #36c}
                .chart{margin:1.5em 0}details pre{background:#f8f8f8;padding:1em;overflow:auto}</style></head><body>
                <h1>%s on %s</h1>
                <p class="headline">%s</p>
                <p>Model <b>%s</b>, policy <b>%s</b>, %d seed(s)%s. Hover a chart for values; click a legend entry to hide or show a run.</p>
                <div class="wide"><table><tr><th>seed</th><th>baseline lr</th><th>automated lr</th><th>target val. loss</th><th>baseline steps</th>
                <th>automated steps</th><th>steps speed-up</th>%s<th>baseline test acc.</th><th>automated test acc.</th>
                <th>baseline F1</th><th>automated F1</th><th>baseline s</th><th>automated s</th><th>analysis overhead</th></tr>
                %s</table></div>
                <h2>Validation loss</h2><div class="chart" id="validation"></div>
                <h2>Training loss (smoothed)</h2><div class="chart" id="training"></div>
                <h2>Learning rate of each layer group (automated runs)</h2><div class="chart" id="rates"></div>
                <h2>The signals measured at each refresh (automated runs)</h2>
                <p>α of each layer's weights W (what the per-layer rates follow: smaller α, better trained), α of the update
                so far ΔW = W − W₀, and the update's size ‖ΔW‖ / ‖W₀‖.</p>
                <h3>α of W</h3><div class="chart" id="alpha"></div>
                <h3>α of ΔW</h3><div class="chart" id="delta_alpha"></div>
                <h3>‖ΔW‖ / ‖W₀‖</h3><div class="chart" id="change"></div>
                <h2>Runs</h2><ul>%s</ul>
                <p><a href="compare.json">compare.json</a></p>
                <details><summary>Configuration</summary><pre>%s</pre></details>
                <script>%s</script>
                <script>
                const DATA = %s;
                %s
                </script>
                </body></html>
                """.formatted(esc(title(c)), resource("uPlot.min.css"), esc(title(c)), esc(task(config)), headline(c),
                esc(config.model().name()), esc(config.automation().policy().key()), c.seeds().size(),
                c.againstSweep() ? ", sweep over " + c.sweep().size() + " rates" : ", base rate " + rate(config.trainer().learningRate()),
                sweepHeader, rows, links, esc(config.toYaml()), resource("uPlot.iife.min.js"), chartData(c), CHARTS);
    }

    private static String title(Comparison c) {
        return c.againstSweep() ? "tuning-free fine-tuning against a learning-rate sweep" : "per-layer learning rates against one rate for all";
    }

    private static String task(RunConfig config) {
        return Path.of(config.data().train()).getParent() == null ? config.data().train() : Path.of(config.data().train()).getParent().toString();
    }

    private static String times(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f&times;", v) : "&ndash;";
    }

    /** Curves and rates of every run, as the page's script reads them. */
    private static String chartData(Comparison c) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode runs = root.putArray("runs");
        List<Comparison.Run> all = new ArrayList<>();
        for (Comparison.Run r : c.sweep()) if (!c.baselines().contains(r)) all.add(r);
        all.addAll(c.baselines());
        all.addAll(c.automated());
        for (Comparison.Run r : all) {
            ObjectNode o = runs.addObject();
            String kind = c.automated().contains(r) ? "automated" : c.baselines().contains(r) ? "baseline" : "sweep";
            o.put("name", (kind.equals("sweep") ? "sweep" : kind) + " lr " + rate(r.learningRate()) + " seed " + r.seed());
            o.put("kind", kind);
            o.set("validation", points(r.curves().evalLoss()));
            o.set("training", points(r.curves().smoothedTrainLoss()));
            if (kind.equals("automated")) {
                ObjectNode rates = o.putObject("rates"), alpha = o.putObject("alpha"), deltaAlpha = o.putObject("delta_alpha"),
                        change = o.putObject("change");
                for (LayerRate lr : r.summary().layerRates()) {
                    add(rates, lr, lr.learningRate());
                    add(alpha, lr, lr.alpha());
                    add(deltaAlpha, lr, lr.deltaAlpha());
                    add(change, lr, lr.relativeChange());
                }
            }
        }
        return new ObjectMapper().writeValueAsString(root).replace("</", "<\\/");
    }

    /** Appends (step, value) to the layer's series, when the value was measured. */
    private static void add(ObjectNode series, LayerRate lr, double value) {
        if (!Double.isFinite(value)) return;
        ArrayNode p = series.has(lr.layer()) ? (ArrayNode) series.get(lr.layer()) : series.putArray(lr.layer());
        p.addArray().add(lr.step()).add(value);
    }

    private static ArrayNode points(List<double[]> pts) {
        ArrayNode a = JSON.createArrayNode();
        for (double[] p : pts) if (Double.isFinite(p[1])) a.addArray().add(p[0]).add(p[1]);
        return a;
    }

    /**
     * Draws the charts: one x (step) per chart, the union of every series' steps, gaps where a series has no point.
     * Errors anywhere are recorded on the body (data-errors), and the number of charts drawn (data-charts), so a
     * headless browser can check the page.
     */
    private static final String CHARTS = """
            const errors = [];
            window.addEventListener('error', e => { errors.push(String(e.message)); document.body.dataset.errors = errors.join(' | '); });
            const consoleError = console.error;
            console.error = (...a) => { errors.push(a.join(' ')); document.body.dataset.errors = errors.join(' | '); consoleError(...a); };
            const COLORS = {sweep: ['#9bb', '#8ab', '#79a', '#689', '#578', '#467'], baseline: ['#2b6cd6', '#4a86e8', '#6d9eeb'], automated: ['#d62728', '#e8603c', '#c2185b']};
            // plain numbers on log axes: 1e-4, 3e-4, 0.1, 0.3
            function plain(v) {
              if (v == null) return '';
              if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return v.toExponential(0).replace('e-', 'e-').replace('e+', 'e');
              return String(+v.toPrecision(3));
            }
            function draw(id, series, yLabel, log) {
              if (series.length === 0) { document.getElementById(id).textContent = 'no data'; return false; }
              const xs = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
              const data = [xs, ...series.map(s => { const m = new Map(s.points.map(p => [p[0], p[1]])); return xs.map(x => m.has(x) ? m.get(x) : null); })];
              const opts = {
                width: Math.min(1150, window.innerWidth - 40), height: 380,
                scales: {x: {time: false}, y: log ? {distr: 3, log: 10} : {}},
                axes: [{label: 'step'}, {label: yLabel, size: 70, values: (u, vals) => vals.map(plain)}],
                series: [{label: 'step'}, ...series.map(s => ({label: s.name, stroke: s.color, width: s.width, spanGaps: true,
                  points: {show: s.dots}, value: (u, v) => v == null ? '–' : plain(v)}))],
                legend: {live: true},
              };
              new uPlot(opts, data, document.getElementById(id));
              return true;
            }
            let drawn = 0;
            const counters = {sweep: 0, baseline: 0, automated: 0};
            const color = r => { const c = COLORS[r.kind]; return c[(counters[r.kind]++) % c.length]; };
            const styled = DATA.runs.map(r => ({...r, color: color(r), width: r.kind === 'sweep' ? 1 : 2.2}));
            drawn += draw('validation', styled.map(r => ({name: r.name, points: r.validation, color: r.color, width: r.width, dots: true})), 'validation loss', true);
            drawn += draw('training', styled.map(r => ({name: r.name, points: r.training, color: r.color, width: r.width, dots: false})), 'training loss', true);
            const groups = (key) => styled.filter(r => r.kind === 'automated').flatMap((r, i) => Object.entries(r[key] || {}).map(([layer, pts], j, arr) =>
              ({name: layer + ' (seed ' + r.name.split(' seed ')[1] + ')', points: pts, color: 'hsl(' + Math.round(300 * j / Math.max(1, arr.length - 1)) + ',70%,' + (40 + 12 * i) + '%)', width: 1.5, dots: true})));
            drawn += draw('rates', groups('rates'), 'learning rate', true);
            drawn += draw('alpha', groups('alpha'), 'alpha', false);
            drawn += draw('delta_alpha', groups('delta_alpha'), 'alpha of the update', false);
            drawn += draw('change', groups('change'), 'relative change', true);
            document.body.dataset.charts = String(drawn);
            """;

    static String resource(String name) throws IOException {
        try (InputStream in = CompareReport.class.getClassLoader().getResourceAsStream(UPLOT + name)) {
            if (in == null) throw new IOException("missing chart library resource " + UPLOT + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
