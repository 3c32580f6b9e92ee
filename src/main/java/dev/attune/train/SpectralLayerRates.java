package dev.attune.train;

import dev.attune.config.RunConfig;
import dev.attune.engine.TorchEigenSolver;
import dev.attune.model.SequenceClassifier;
import dev.attune.model.WeightMatrices;
import dev.attune.schedule.LayerAlpha;
import dev.attune.schedule.LayerSelection;
import dev.attune.schedule.Multipliers;
import dev.attune.schedule.Policies;
import dev.attune.schedule.Policy;
import dev.attune.spectral.LayerSpectrum;
import dev.attune.spectral.PowerLaw;
import dev.attune.spectral.SpectralAnalyzer;

import java.util.List;
import java.util.Map;

/**
 * Per-layer learning rates from layer spectra, refreshed every K steps after warmup while the analysis stays within
 * {@code analysis_budget} (2%) of the training time (a due refresh that would exceed it is put off, so short steps get
 * fewer refreshes): measure α of every weight
 * matrix of the live model, average it per layer, and turn that into multipliers ({@link Multipliers#forLayers}, a
 * pure function); keep the answer until the next refresh. Only the optimizer's learning rates change, never its
 * state. Each refresh is returned to the loop as a record; writing it anywhere is the listeners' business.
 */
public final class SpectralLayerRates implements LayerRates, TrainingListener {

    /** What the {@code automation} section asks for, with the refresh interval resolved. */
    public record Settings(Policy policy, List<String> selectors, long refreshSteps, double minMultiplier, double maxMultiplier,
                           boolean normalize, boolean perLayer, PowerLaw.Estimator estimator, double analysisBudget) {
        /** {@code refresh_steps: 0} means about ten refreshes per epoch. */
        public static Settings of(RunConfig.Automation a, int batchesPerEpoch) {
            long refresh = a.refreshSteps() > 0 ? a.refreshSteps() : Math.max(1, batchesPerEpoch / 10);
            // the multiplier clamp is a safety bound, not the policy's range (the policy gets min/max_multiplier)
            return new Settings(Policies.byName(a.policy(), a.minMultiplier(), a.maxMultiplier()), a.layers(), refresh, 0.01, 100,
                    a.normalize(), a.perLayer(), a.estimator(), a.analysisBudget());
        }
    }

    private final SequenceClassifier model;
    private final Settings settings;
    private final List<String> treated;
    private final int encoderLayers;
    private final SpectralAnalyzer analyzer;
    private Map<String, Double> current = Map.of();
    private double analysisSeconds, lastRefreshSeconds, trainSeconds;
    private int refreshes;

    public SpectralLayerRates(SequenceClassifier model, Settings settings) {
        this.model = model;
        this.settings = settings;
        List<String> layers = model.parameters().keySet().stream().map(dev.attune.LayerNames::layerOf).distinct().toList();
        this.treated = LayerSelection.select(settings.selectors(), layers);
        this.encoderLayers = model.encoder().config().numHiddenLayers();
        this.analyzer = new SpectralAnalyzer(new TorchEigenSolver(false),
                SpectralAnalyzer.Options.defaults().withEstimator(settings.estimator()).withThreads(2));
    }

    /** Refresh steps: the first update after warmup, then every {@code refreshSteps}. */
    boolean isRefresh(long step, long warmupSteps) {
        return step > warmupSteps && (step - warmupSteps - 1) % settings.refreshSteps() == 0;
    }

    @Override
    public Decision multipliers(long step, TrainingPlan plan) {
        if (step <= plan.warmupSteps()) return new Decision(Map.of(), null);
        if (!isRefresh(step, plan.warmupSteps()) && !current.isEmpty()) return new Decision(current, null);
        if (!current.isEmpty() && settings.analysisBudget() > 0
                && !withinBudget(settings.analysisBudget(), analysisSeconds, lastRefreshSeconds, trainSeconds)) return new Decision(current, null);
        long start = System.nanoTime();
        List<LayerSpectrum> spectra = analyzer.analyze(WeightMatrices.fromParameters(model.parameters(), false));
        List<LayerAlpha> input = LayerAlpha.of(spectra, treated, encoderLayers);
        current = Multipliers.forLayers(settings.policy(), input, settings.minMultiplier(), settings.maxMultiplier(),
                settings.normalize(), settings.perLayer());
        double seconds = (System.nanoTime() - start) / 1e9;
        analysisSeconds += seconds;
        lastRefreshSeconds = seconds;
        refreshes++;
        List<Refresh.Layer> layers = input.stream().map(l -> new Refresh.Layer(l.layer(), l.alpha(), current.getOrDefault(l.layer(), 1.0))).toList();
        var summary = SpectralAnalyzer.summarize(spectra);
        return new Decision(current, new Refresh(step, layers, summary.meanAlpha(), summary.stdAlpha(), summary.fitted(), seconds));
    }

    /**
     * Whether one more refresh, expected to take as long as the last one, keeps the analysis within
     * {@code budget} (a share) of the training time so far (the steps' own seconds, the analysis included).
     */
    static boolean withinBudget(double budget, double analysisSeconds, double lastRefreshSeconds, double trainSeconds) {
        return analysisSeconds + lastRefreshSeconds <= budget * (trainSeconds + lastRefreshSeconds);
    }

    @Override
    public void onStep(StepMetrics m, TrainingControl control) {
        trainSeconds += m.stepSeconds();
    }

    public double analysisSeconds() {
        return analysisSeconds;
    }

    public int refreshes() {
        return refreshes;
    }
}
