package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.MeanStd;
import dev.attune.report.Comparison.SeedResult;
import dev.attune.train.LayerRate;
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

/** Renders a {@link Comparison}: its numbers (compare.json), charts (loss_curves.png, layer_lr.png) and a self-contained report.html. */
public final class CompareReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CompareReport() {}

    /** Writes compare.json, loss_curves.png, layer_lr.png and report.html into the comparison's directory. */
    public static void write(Comparison c) throws IOException {
        Path dir = c.dir();
        RunConfig config = c.config();
        List<SeedResult> seeds = c.seeds();
        Files.createDirectories(dir);

        // compare.json
        ObjectNode root = JSON.createObjectNode();
        root.put("speedup_mean", c.speedupMean());
        root.put("speedup_std", c.speedupStd());
        root.put("seeds_reaching_target", c.reached());
        root.put("seeds", seeds.size());
        root.put("policy", config.automation().policy().key());
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
        if (!c.sweep().isEmpty()) {
            ObjectNode sw = root.putObject("swept_baseline");
            ArrayNode rates = sw.putArray("runs");
            for (Comparison.Run r : c.sweep()) {
                ObjectNode o = rates.addObject();
                o.put("learning_rate", r.learningRate());
                o.put("best_validation_loss", r.curves().bestEvalLoss());
                o.put("steps_to_best", r.curves().firstStepReaching(r.curves().bestEvalLoss()));
                o.put("test_accuracy", r.summary().test() == null ? Double.NaN : r.summary().test().accuracy());
            }
            sw.put("best_learning_rate", c.sweptBestRate());
            putNumber(sw, "speedup_vs_best", c.sweptSpeedup());
        }
        RunFiles.writeAtomically(dir.resolve("compare.json"), JSON.writeValueAsString(root));

        byte[] curves = png(lossCurves(c.baselines(), c.automated(), c.bestSweep()));
        Files.write(dir.resolve("loss_curves.png"), curves);
        byte[] rates = png(layerRates(c.automated().get(0).summary().layerRates()));
        Files.write(dir.resolve("layer_lr.png"), rates);
        RunFiles.writeAtomically(dir.resolve("report.html"), html(c, root, curves, rates));
    }

    private static void putNumber(ObjectNode o, String key, Double v) {
        if (v == null || !Double.isFinite(v)) o.putNull(key);
        else o.put(key, v);
    }

    private static void agg(ObjectNode o, String key, List<SeedResult> seeds, ToDoubleFunction<SeedResult> f) {
        MeanStd ms = MeanStd.sample(seeds.stream().mapToDouble(f).filter(Double::isFinite).toArray());
        ObjectNode n = o.putObject(key);
        putNumber(n, "mean", ms.mean());
        putNumber(n, "std", ms.std());
    }



    private static JFreeChart lossCurves(List<Comparison.Run> baselines, List<Comparison.Run> automated, Comparison.Run bestSweep) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        int k = 0;
        List<Comparison.Run> all = new ArrayList<>();
        all.addAll(baselines);
        all.addAll(automated);
        if (bestSweep != null) all.add(bestSweep);
        for (Comparison.Run run : all) {
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

    private static JFreeChart layerRates(List<LayerRate> refreshes) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (LayerRate r : refreshes) {
            series.computeIfAbsent(r.layer(), XYSeries::new).add(r.step(), r.learningRate());
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

    private static String html(Comparison r, ObjectNode json, byte[] curves, byte[] rates) throws IOException {
        RunConfig config = r.config();
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
                "<p>Against the best of %d swept baseline rates (best: %.2e): speed-up %s.</p>", r.sweep().size(),
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
                """.formatted(esc(config.model().name()), esc(config.automation().policy().key()), config.trainer().learningRate(),
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
