package dev.attune.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.Compare;
import dev.attune.config.RunConfig;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The comparison's numbers (compare.json), charts (loss_curves.png, layer_lr.png) and a self-contained report.html. */
public final class CompareReport {
    /** One seed's comparison. */
    public record SeedResult(long seed, double targetLoss, long baselineSteps, long automatedSteps, double speedup,
                             double baselineArea, double automatedArea, double baselineAccuracy, double automatedAccuracy,
                             double baselineF1, double automatedF1, double baselineSeconds, double automatedSeconds,
                             double analysisOverhead) {}

    /** The headline: mean and standard deviation of the speed-up over seeds that reached the target. */
    public record Result(Path dir, List<SeedResult> seeds, double speedupMean, double speedupStd, int reached,
                         Double sweptSpeedup, Double sweptBestRate) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CompareReport() {}

    static SeedResult compare(Compare.Run base, Compare.Run auto) {
        double target = base.curves().bestEvalLoss();
        long baseSteps = base.curves().firstStepReaching(target);
        long autoSteps = auto.curves().firstStepReaching(target);
        double speedup = autoSteps > 0 ? (double) baseSteps / autoSteps : Double.NaN;
        var bs = base.summary();
        var as = auto.summary();
        return new SeedResult(base.seed(), target, baseSteps, autoSteps, speedup, base.curves().evalLossArea(),
                auto.curves().evalLossArea(), bs.test() == null ? Double.NaN : bs.test().accuracy(),
                as.test() == null ? Double.NaN : as.test().accuracy(), bs.test() == null ? Double.NaN : bs.test().f1Macro(),
                as.test() == null ? Double.NaN : as.test().f1Macro(), bs.trainSeconds(), as.trainSeconds(),
                as.analysisSeconds() / Math.max(1e-9, as.trainSeconds()));
    }

    public static Result write(Path dir, RunConfig config, List<Compare.Run> baselines, List<Compare.Run> automated,
                               List<Compare.Run> sweep) throws IOException {
        Files.createDirectories(dir);
        List<SeedResult> seeds = new ArrayList<>();
        for (int i = 0; i < baselines.size(); i++) seeds.add(compare(baselines.get(i), automated.get(i)));
        double[] sp = seeds.stream().mapToDouble(SeedResult::speedup).filter(Double::isFinite).toArray();
        double[] ms = meanStd(sp);

        Double sweptSpeedup = null, sweptRate = null;
        Compare.Run bestSweep = null;
        if (!sweep.isEmpty()) {
            bestSweep = sweep.stream().min((x, y) -> Double.compare(x.curves().bestEvalLoss(), y.curves().bestEvalLoss())).orElseThrow();
            SeedResult vsSweep = compare(bestSweep, automated.get(0));
            sweptSpeedup = vsSweep.speedup();
            sweptRate = bestSweep.learningRate();
        }
        Result result = new Result(dir, seeds, ms[0], ms[1], sp.length, sweptSpeedup, sweptRate);

        // compare.json
        ObjectNode root = JSON.createObjectNode();
        root.put("speedup_mean", ms[0]);
        root.put("speedup_std", ms[1]);
        root.put("seeds_reaching_target", sp.length);
        root.put("seeds", seeds.size());
        root.put("policy", config.automation().policy());
        root.put("model", config.model().name());
        root.put("learning_rate", config.trainer().learningRate());
        root.put("definition", "speedup = steps the baseline needed to reach its best validation loss / steps the automated run "
                + "needed to reach that loss (evaluations every " + config.trainer().evalSteps() + " steps)");
        ArrayNode per = root.putArray("per_seed");
        for (SeedResult s : seeds) {
            ObjectNode o = per.addObject();
            o.put("seed", s.seed());
            o.put("target_validation_loss", s.targetLoss());
            o.put("baseline_steps_to_target", s.baselineSteps());
            if (s.automatedSteps() > 0) o.put("automated_steps_to_target", s.automatedSteps());
            else o.putNull("automated_steps_to_target");
            putNumber(o, "speedup", s.speedup());
            o.put("baseline_validation_loss_area", s.baselineArea());
            o.put("automated_validation_loss_area", s.automatedArea());
            o.put("baseline_test_accuracy", s.baselineAccuracy());
            o.put("automated_test_accuracy", s.automatedAccuracy());
            o.put("baseline_test_f1", s.baselineF1());
            o.put("automated_test_f1", s.automatedF1());
            o.put("baseline_train_seconds", s.baselineSeconds());
            o.put("automated_train_seconds", s.automatedSeconds());
            o.put("analysis_overhead", s.analysisOverhead());
        }
        ObjectNode agg = root.putObject("mean_std");
        agg(agg, "speedup", seeds, SeedResult::speedup);
        agg(agg, "baseline_validation_loss_area", seeds, SeedResult::baselineArea);
        agg(agg, "automated_validation_loss_area", seeds, SeedResult::automatedArea);
        agg(agg, "baseline_test_accuracy", seeds, SeedResult::baselineAccuracy);
        agg(agg, "automated_test_accuracy", seeds, SeedResult::automatedAccuracy);
        agg(agg, "baseline_test_f1", seeds, SeedResult::baselineF1);
        agg(agg, "automated_test_f1", seeds, SeedResult::automatedF1);
        agg(agg, "baseline_train_seconds", seeds, SeedResult::baselineSeconds);
        agg(agg, "automated_train_seconds", seeds, SeedResult::automatedSeconds);
        agg(agg, "analysis_overhead", seeds, SeedResult::analysisOverhead);
        if (!sweep.isEmpty()) {
            ObjectNode sw = root.putObject("swept_baseline");
            ArrayNode rates = sw.putArray("runs");
            for (Compare.Run r : sweep) {
                ObjectNode o = rates.addObject();
                o.put("learning_rate", r.learningRate());
                o.put("best_validation_loss", r.curves().bestEvalLoss());
                o.put("steps_to_best", r.curves().firstStepReaching(r.curves().bestEvalLoss()));
                o.put("test_accuracy", r.summary().test() == null ? Double.NaN : r.summary().test().accuracy());
            }
            sw.put("best_learning_rate", sweptRate);
            putNumber(sw, "speedup_vs_best", sweptSpeedup);
        }
        RunFiles.writeAtomically(dir.resolve("compare.json"), JSON.writeValueAsString(root));

        byte[] curves = png(lossCurves(baselines, automated, bestSweep));
        Files.write(dir.resolve("loss_curves.png"), curves);
        byte[] rates = png(layerRates(automated.get(0).summary().runDir().resolve("layer_rates.jsonl")));
        Files.write(dir.resolve("layer_lr.png"), rates);
        RunFiles.writeAtomically(dir.resolve("report.html"), html(config, result, root, curves, rates));
        return result;
    }

    private static void putNumber(ObjectNode o, String key, Double v) {
        if (v == null || !Double.isFinite(v)) o.putNull(key);
        else o.put(key, v);
    }

    private static void agg(ObjectNode o, String key, List<SeedResult> seeds, ToDoubleFunction<SeedResult> f) {
        double[] ms = meanStd(seeds.stream().mapToDouble(f).filter(Double::isFinite).toArray());
        ObjectNode n = o.putObject(key);
        putNumber(n, "mean", ms[0]);
        putNumber(n, "std", ms[1]);
    }

    /** {mean, sample standard deviation} over seeds. */
    static double[] meanStd(double[] v) {
        dev.attune.MeanStd m = dev.attune.MeanStd.sample(v);
        return new double[] {m.mean(), m.std()};
    }

    private static JFreeChart lossCurves(List<Compare.Run> baselines, List<Compare.Run> automated, Compare.Run bestSweep) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        int k = 0;
        List<Compare.Run> all = new ArrayList<>();
        all.addAll(baselines);
        all.addAll(automated);
        if (bestSweep != null) all.add(bestSweep);
        for (Compare.Run run : all) {
            boolean isAuto = automated.contains(run);
            boolean isSweep = run == bestSweep;
            Color c = isSweep ? new Color(40, 150, 40) : isAuto ? new Color(200, 40, 40) : new Color(40, 80, 200);
            String name = (isSweep ? "best swept baseline (lr " + run.learningRate() + ")" : run.label()) + ", seed " + run.seed();
            XYSeries train = new XYSeries(name + ": training loss (smoothed)");
            for (double[] p : run.curves().smoothedTrainLoss()) train.add(p[0], p[1]);
            XYSeries val = new XYSeries(name + ": validation loss");
            for (double[] p : run.curves().evalLoss()) val.add(p[0], p[1]);
            data.addSeries(train);
            r.setSeriesPaint(k, c);
            r.setSeriesShapesVisible(k, false);
            r.setSeriesStroke(k, new BasicStroke(1.2f));
            k++;
            data.addSeries(val);
            r.setSeriesPaint(k, c);
            r.setSeriesStroke(k, new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            k++;
        }
        LogAxis y = new LogAxis("loss (log scale)");
        XYPlot plot = new XYPlot(data, new NumberAxis("step"), y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Loss curves: baseline (blue) vs automated per-layer rates (red)", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static JFreeChart layerRates(Path layerRatesJsonl) throws IOException {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        if (Files.exists(layerRatesJsonl)) {
            ObjectMapper m = new ObjectMapper();
            for (String line : Files.readAllLines(layerRatesJsonl)) {
                if (line.isBlank()) continue;
                JsonNode n = m.readTree(line);
                series.computeIfAbsent(n.get("layer").asText(), XYSeries::new).add(n.get("step").asDouble(), n.get("learning_rate").asDouble());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        LogAxis y = new LogAxis("learning rate (log scale)");
        XYPlot plot = new XYPlot(data, new NumberAxis("step"), y, r);
        plot.setBackgroundPaint(Color.WHITE);
        JFreeChart chart = new JFreeChart("Per-layer learning rates of the automated run (at each refresh)", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static byte[] png(JFreeChart chart) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(1100, 650, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        chart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 1100, 650));
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static String html(RunConfig config, Result r, ObjectNode json, byte[] curves, byte[] rates) throws IOException {
        StringBuilder rows = new StringBuilder();
        for (SeedResult s : r.seeds()) {
            rows.append(String.format("<tr><td>%d</td><td>%.4f</td><td>%d</td><td>%s</td><td>%s</td><td>%.4f</td><td>%.4f</td>"
                            + "<td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.0f</td><td>%.0f</td><td>%.2f%%</td></tr>%n",
                    s.seed(), s.targetLoss(), s.baselineSteps(), s.automatedSteps() > 0 ? String.valueOf(s.automatedSteps()) : "not reached",
                    Double.isFinite(s.speedup()) ? String.format("%.2f&times;", s.speedup()) : "&ndash;",
                    s.baselineArea(), s.automatedArea(), s.baselineAccuracy(), s.automatedAccuracy(), s.baselineF1(), s.automatedF1(),
                    s.baselineSeconds(), s.automatedSeconds(), 100 * s.analysisOverhead()));
        }
        String swept = r.sweptSpeedup() == null ? "" : String.format(
                "<p>Against the best of %d swept baseline rates (best: %.2e): speed-up %s.</p>", Compare.SWEEP_FACTORS.length,
                r.sweptBestRate(), Double.isFinite(r.sweptSpeedup()) ? String.format("%.2f&times;", r.sweptSpeedup()) : "target not reached");
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>attune comparison</title>
                <style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}
                table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
                th{background:#f4f4f4}pre{background:#f8f8f8;padding:1em;overflow:auto}</style></head><body>
                <h1>Per-layer learning rates vs one rate for all</h1>
                <p>Model <b>%s</b>, policy <b>%s</b>, base learning rate %s, %d seed(s).
                Speed-up = steps the baseline needed to reach its best validation loss, over the steps the automated run
                needed to reach that same loss.</p>
                <h2>Speed-up: %s &plusmn; %s (%d of %d seeds reached the target)</h2>
                %s
                <table><tr><th>seed</th><th>target val. loss</th><th>baseline steps</th><th>automated steps</th><th>speed-up</th>
                <th>baseline mean val. loss</th><th>automated mean val. loss</th><th>baseline test acc.</th><th>automated test acc.</th>
                <th>baseline test F1</th><th>automated test F1</th><th>baseline s</th><th>automated s</th><th>analysis overhead</th></tr>
                %s</table>
                <h2>Loss curves</h2><img alt="loss curves" src="data:image/png;base64,%s" width="1100">
                <h2>Per-layer learning rates</h2><img alt="layer learning rates" src="data:image/png;base64,%s" width="1100">
                <h2>compare.json</h2><pre>%s</pre>
                <h2>Configuration</h2><pre>%s</pre>
                </body></html>
                """.formatted(esc(config.model().name()), esc(config.automation().policy()), config.trainer().learningRate(),
                r.seeds().size(), fmt(r.speedupMean()), fmt(r.speedupStd()), r.reached(), r.seeds().size(), swept, rows,
                Base64.getEncoder().encodeToString(curves), Base64.getEncoder().encodeToString(rates),
                esc(JSON.writeValueAsString(json)), esc(config.toYaml()));
    }

    private static String fmt(double d) {
        return Double.isFinite(d) ? String.format("%.2f&times;", d) : "&ndash;";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
