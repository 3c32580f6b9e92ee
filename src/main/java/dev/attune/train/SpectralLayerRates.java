package dev.attune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.engine.TorchEigenSolver;
import dev.attune.model.SequenceClassifier;
import dev.attune.model.WeightMatrices;
import dev.attune.schedule.LayerAlpha;
import dev.attune.schedule.LayerSelection;
import dev.attune.schedule.Multipliers;
import dev.attune.schedule.Policy;
import dev.attune.spectral.LayerSpectrum;
import dev.attune.spectral.PowerLaw;
import dev.attune.spectral.SpectralAnalyzer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer learning rates from layer spectra, refreshed every K steps after warmup: measure α of every weight
 * matrix, average per layer, ask the policy, clamp (and optionally normalise), and keep the answer until the next
 * refresh. Only the optimizer's learning rates change; its state is never touched. Each refresh appends one line per
 * layer to {@code layer_rates.jsonl} (step, layer, alpha, multiplier, learning_rate) and α statistics to the metrics.
 */
public final class SpectralLayerRates implements LayerRates, TrainingListener, AutoCloseable {
    /** One refresh of one layer, for reports. */
    public record Refresh(long step, String layer, double alpha, double multiplier, double learningRate) {}

    private final SequenceClassifier model;
    private final Policy policy;
    private final List<String> treated;
    private final List<String> layers;
    private final int encoderLayers;
    private final long refreshSteps;
    private final double minMultiplier, maxMultiplier; // a safety clamp, not the policy's range
    private final boolean normalize, perLayer;
    private final double baseLearningRate;
    private final String lrScheduler;
    private final SpectralAnalyzer analyzer;
    private final BufferedWriter log;
    private final Consumer metrics;
    private final List<Refresh> history = new ArrayList<>();
    private long warmupSteps, totalSteps;
    private Map<String, Double> current = Map.of();
    private double analysisSeconds;
    private int refreshes;

    /** Receives α statistics after each refresh (for metrics.jsonl). */
    public interface Consumer {
        void accept(ObjectNode stats);
    }

    public SpectralLayerRates(SequenceClassifier model, Policy policy, List<String> layers, List<String> selectors,
                              long refreshSteps, double minMultiplier, double maxMultiplier, boolean normalize, boolean perLayer,
                              PowerLaw.Estimator estimator, double baseLearningRate, String lrScheduler, Path logFile, Consumer metrics) {
        this.lrScheduler = lrScheduler;
        this.model = model;
        this.policy = policy;
        this.layers = List.copyOf(layers);
        this.treated = LayerSelection.select(selectors, layers);
        this.encoderLayers = model.encoder().config().numHiddenLayers();
        this.refreshSteps = refreshSteps;
        this.minMultiplier = minMultiplier;
        this.maxMultiplier = maxMultiplier;
        this.normalize = normalize;
        this.perLayer = perLayer;
        this.baseLearningRate = baseLearningRate;
        this.analyzer = new SpectralAnalyzer(new TorchEigenSolver(false),
                SpectralAnalyzer.Options.defaults().withEstimator(estimator).withThreads(2));
        this.metrics = metrics;
        try {
            this.log = logFile == null ? null : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void onStart(TrainingPlan plan) {
        warmupSteps = plan.warmupSteps();
        totalSteps = plan.totalSteps();
    }

    /** Refresh steps: the first update after warmup, then every {@code refreshSteps}. */
    boolean isRefresh(long step) {
        return step > warmupSteps && (step - warmupSteps - 1) % refreshSteps == 0;
    }

    @Override
    public Map<String, Double> multipliers(long step, long total) {
        if (step <= warmupSteps) return Map.of();
        if (isRefresh(step) || current.isEmpty()) refresh(step, total);
        return current;
    }

    private void refresh(long step, long total) {
        long start = System.nanoTime();
        List<LayerSpectrum> spectra = analyzer.analyze(WeightMatrices.fromParameters(model.parameters(), false));
        Map<String, List<Double>> perLayer = new LinkedHashMap<>();
        for (LayerSpectrum s : spectra) {
            if (s.fitted()) perLayer.computeIfAbsent(dev.attune.LayerNames.layerOf(s.name()), k -> new ArrayList<>()).add(s.alpha());
        }
        List<LayerAlpha> input = new ArrayList<>();
        for (String l : treated) {
            List<Double> a = perLayer.get(l);
            double alpha = a == null ? Double.NaN : a.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            input.add(new LayerAlpha(l, LayerSelection.depth(l, encoderLayers), alpha, Double.NaN));
        }
        Map<String, Double> m = Multipliers.clamp(policy.multipliers(input), minMultiplier, maxMultiplier);
        if (normalize) m = Multipliers.normalizeMean(m);
        if (!this.perLayer) m = Multipliers.global(m);
        current = Map.copyOf(m);
        analysisSeconds += (System.nanoTime() - start) / 1e9;
        refreshes++;

        double schedule = Schedule.factor(lrScheduler, step, total, warmupSteps); // for the log only
        ObjectMapper json = new ObjectMapper();
        try {
            for (LayerAlpha l : input) {
                double mult = current.getOrDefault(l.layer(), 1.0);
                history.add(new Refresh(step, l.layer(), l.alpha(), mult, baseLearningRate * schedule * mult));
                if (log != null) {
                    ObjectNode o = json.createObjectNode();
                    o.put("step", step);
                    o.put("layer", l.layer());
                    if (l.hasAlpha()) o.put("alpha", l.alpha());
                    o.put("multiplier", mult);
                    o.put("learning_rate", baseLearningRate * schedule * mult);
                    log.write(json.writeValueAsString(o));
                    log.write('\n');
                }
            }
            if (log != null) log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var summary = SpectralAnalyzer.summarize(spectra);
        ObjectNode stats = json.createObjectNode();
        stats.put("step", step);
        stats.put("alpha_mean", summary.meanAlpha());
        stats.put("alpha_std", summary.stdAlpha());
        stats.put("alpha_matrices", summary.fitted());
        stats.put("analysis_seconds", (System.nanoTime() - start) / 1e9);
        if (metrics != null) metrics.accept(stats);
    }

    public double analysisSeconds() {
        return analysisSeconds;
    }

    public int refreshes() {
        return refreshes;
    }

    public List<Refresh> history() {
        return List.copyOf(history);
    }

    @Override
    public void close() throws IOException {
        if (log != null) log.close();
    }
}
