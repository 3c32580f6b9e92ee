package dev.attune.report;

import dev.attune.spectral.LayerSpectrum;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PNG with two panels: α of every matrix across depth, one series per matrix kind; and the empirical spectral
 * density of one matrix (log-log histogram of its eigenvalues) with the fitted power-law tail.
 */
public final class SpectraPlot {
    private SpectraPlot() {}

    public static void write(Path png, String title, List<LayerSpectrum> spectra, LayerSpectrum chosen, double[] chosenEigenvalues)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        JFreeChart depth = alphaByDepth(title, spectra);
        JFreeChart esd = esd(chosen, chosenEigenvalues);
        int w = 1000, h = 420;
        BufferedImage img = new BufferedImage(w, 2 * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        depth.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, w, h));
        esd.draw(g, new java.awt.geom.Rectangle2D.Double(0, h, w, h));
        g.dispose();
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        javax.imageio.ImageIO.write(img, "png", tmp.toFile());
        java.nio.file.Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** query, key, value, attention output, intermediate, output, other. */
    static String kind(String name) {
        for (String k : new String[] {"query", "key", "value"}) if (name.contains(".self." + k + ".")) return k;
        if (name.contains("attention.output.dense")) return "attention.output";
        if (name.contains("intermediate.dense")) return "intermediate";
        if (name.contains(".output.dense")) return "output";
        return "other";
    }

    private static JFreeChart alphaByDepth(String title, List<LayerSpectrum> spectra) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        int x = 0;
        for (LayerSpectrum s : spectra) {
            x++;
            if (!s.fitted()) continue;
            series.computeIfAbsent(kind(s.name()), k -> new XYSeries(k)).add(x, s.alpha());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        NumberAxis xAxis = new NumberAxis("matrix (in depth order)");
        NumberAxis yAxis = new NumberAxis("alpha");
        yAxis.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title + ": power-law exponent alpha per weight matrix", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static JFreeChart esd(LayerSpectrum s, double[] eigenvalues) {
        double[] ev = java.util.Arrays.stream(eigenvalues).filter(v -> v > 0).sorted().toArray();
        XYSeries hist = new XYSeries("empirical density");
        XYSeries fit = new XYSeries("power law, alpha " + String.format("%.2f", s.alpha()));
        int bins = 40;
        double lo = Math.log10(ev[0]), hi = Math.log10(ev[ev.length - 1]), width = (hi - lo) / bins;
        int[] counts = new int[bins];
        for (double v : ev) counts[Math.min(bins - 1, (int) ((Math.log10(v) - lo) / Math.max(width, 1e-12)))]++;
        for (int b = 0; b < bins; b++) {
            if (counts[b] == 0) continue;
            double left = Math.pow(10, lo + b * width), right = Math.pow(10, lo + (b + 1) * width);
            hist.add(Math.sqrt(left * right), counts[b] / (ev.length * (right - left)));
        }
        if (s.fitted()) {
            // tail density: (n_tail / N) · (α − 1)/xmin · (λ/xmin)^(−α)
            double scale = (double) s.nTail() / ev.length * (s.alpha() - 1) / s.xmin();
            for (int i = 0; i <= 50; i++) {
                double lam = s.xmin() * Math.pow(ev[ev.length - 1] / s.xmin(), i / 50.0);
                fit.add(lam, scale * Math.pow(lam / s.xmin(), -s.alpha()));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(hist);
        data.addSeries(fit);
        LogAxis xAxis = new LogAxis("eigenvalue of W^T W");
        LogAxis yAxis = new LogAxis("density");
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, false);
        r.setSeriesShapesVisible(1, false);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, r);
        plot.setBackgroundPaint(Color.WHITE);
        JFreeChart chart = new JFreeChart("spectral density of " + s.name(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
