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
 * fewer refreshes). Each refresh also measures the update so far, ΔW = W − W₀ (α of its spectrum, which WeightWatcher
 * reads fine-tuning by, and its size relative to W₀), and logs it; the policies decide from α of W: measure α of every weight
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

    private final Map<String, SpectralAnalyzer.Matrix> initial;

    /**
     * @param initial the weight matrices at the start of the run (pretrained encoder, freshly initialised head), for the
     *                signals of the update ΔW = W − W₀; empty: not measured
     */
    public SpectralLayerRates(SequenceClassifier model, Settings settings, List<SpectralAnalyzer.Matrix> initial) {
        this.model = model;
        this.initial = new java.util.LinkedHashMap<>();
        initial.forEach(m -> this.initial.put(m.name(), m));
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
        List<SpectralAnalyzer.Matrix> matrices = WeightMatrices.fromParameters(model.parameters(), false);
        List<LayerSpectrum> spectra = analyzer.analyze(matrices);
        List<LayerAlpha> input = LayerAlpha.of(spectra, treated, encoderLayers);
        Update update = update(matrices);
        current = Multipliers.forLayers(settings.policy(), input, settings.minMultiplier(), settings.maxMultiplier(),
                settings.normalize(), settings.perLayer());
        double seconds = (System.nanoTime() - start) / 1e9;
        analysisSeconds += seconds;
        lastRefreshSeconds = seconds;
        refreshes++;
        List<Refresh.Layer> layers = input.stream().map(l -> new Refresh.Layer(l.layer(), l.alpha(), update.alpha().getOrDefault(l.layer(), Double.NaN),
                update.relativeChange().getOrDefault(l.layer(), Double.NaN), current.getOrDefault(l.layer(), 1.0))).toList();
        var summary = SpectralAnalyzer.summarize(spectra);
        return new Decision(current, new Refresh(step, layers, summary.meanAlpha(), summary.stdAlpha(), summary.fitted(), seconds));
    }

    /** Per layer: mean α of ΔW over its fitted matrices, and ‖ΔW‖ / ‖W₀‖ over all its matrices (Frobenius norms). */
    record Update(Map<String, Double> alpha, Map<String, Double> relativeChange) {}

    private Update update(List<SpectralAnalyzer.Matrix> matrices) {
        if (initial.isEmpty()) return new Update(Map.of(), Map.of());
        List<SpectralAnalyzer.Matrix> deltas = new java.util.ArrayList<>();
        Map<String, double[]> norms = new java.util.LinkedHashMap<>(); // layer -> {‖ΔW‖², ‖W₀‖²}
        for (SpectralAnalyzer.Matrix m : matrices) {
            SpectralAnalyzer.Matrix w0 = initial.get(m.name());
            if (w0 == null || w0.data().length != m.data().length) continue;
            float[] d = new float[m.data().length];
            double dd = 0, ww = 0;
            for (int i = 0; i < d.length; i++) {
                d[i] = m.data()[i] - w0.data()[i];
                dd += (double) d[i] * d[i];
                ww += (double) w0.data()[i] * w0.data()[i];
            }
            deltas.add(new SpectralAnalyzer.Matrix(m.name(), m.rows(), m.cols(), d));
            double[] n = norms.computeIfAbsent(dev.attune.LayerNames.layerOf(m.name()), k -> new double[2]);
            n[0] += dd;
            n[1] += ww;
        }
        Map<String, Double> alpha = new java.util.LinkedHashMap<>();
        for (LayerAlpha l : LayerAlpha.of(analyzer.analyze(deltas), treated, encoderLayers)) alpha.put(l.layer(), l.alpha());
        Map<String, Double> change = new java.util.LinkedHashMap<>();
        norms.forEach((layer, n) -> change.put(layer, Math.sqrt(n[0] / Math.max(n[1], 1e-30))));
        return new Update(alpha, change);
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
