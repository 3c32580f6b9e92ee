package dev.attune.report;

import dev.attune.MeanStd;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A with/without comparison as a value, built from finished runs in memory: per seed, the steps the automated run
 * needed to reach the baseline's best validation loss, and, with a sweep, the same against the best swept rate.
 * {@link CompareReport} only renders it.
 */
public record Comparison(Path dir, RunConfig config, List<Run> baselines, List<Run> automated, List<Run> sweep,
                         List<SeedResult> seeds, double speedupMean, double speedupStd, int reached, Run bestSweep,
                         Double sweptSpeedup, Double sweptBestRate) {

    /** One run of a comparison: its label, seed, base rate and what it produced (curves included). */
    public record Run(String label, long seed, double learningRate, RunSummary summary) {
        public Curves curves() {
            return summary.curves();
        }
    }

    /** One seed's comparison. */
    public record SeedResult(long seed, double targetLoss, long baselineSteps, long automatedSteps, double speedup,
                             double baselineArea, double automatedArea, double baselineAccuracy, double automatedAccuracy,
                             double baselineF1, double automatedF1, double baselineSeconds, double automatedSeconds,
                             double analysisOverhead) {}

    /** Compares each seed's baseline with its automated run, and the first automated run with the best swept rate. */
    public static Comparison of(Path dir, RunConfig config, List<Run> baselines, List<Run> automated, List<Run> sweep) {
        List<SeedResult> seeds = new ArrayList<>();
        for (int i = 0; i < baselines.size(); i++) seeds.add(compare(baselines.get(i), automated.get(i)));
        double[] reachedSpeedups = seeds.stream().mapToDouble(SeedResult::speedup).filter(Double::isFinite).toArray();
        MeanStd speedup = MeanStd.sample(reachedSpeedups);
        Run bestSweep = null;
        Double sweptSpeedup = null, sweptRate = null;
        if (!sweep.isEmpty()) {
            bestSweep = sweep.stream().min((x, y) -> Double.compare(x.curves().bestEvalLoss(), y.curves().bestEvalLoss())).orElseThrow();
            sweptSpeedup = compare(bestSweep, automated.get(0)).speedup();
            sweptRate = bestSweep.learningRate();
        }
        return new Comparison(dir, config, List.copyOf(baselines), List.copyOf(automated), List.copyOf(sweep), seeds,
                speedup.mean(), speedup.std(), reachedSpeedups.length, bestSweep, sweptSpeedup, sweptRate);
    }

    /**
     * speed-up = steps the baseline needed to reach its best validation loss / steps the automated run needed to
     * reach that loss; NaN when the automated run never reached it.
     */
    static SeedResult compare(Run base, Run auto) {
        double target = base.curves().bestEvalLoss();
        long baseSteps = base.curves().firstStepReaching(target);
        long autoSteps = auto.curves().firstStepReaching(target);
        double speedup = autoSteps > 0 ? (double) baseSteps / autoSteps : Double.NaN;
        RunSummary bs = base.summary(), as = auto.summary();
        return new SeedResult(base.seed(), target, baseSteps, autoSteps, speedup, base.curves().evalLossArea(),
                auto.curves().evalLossArea(), bs.test() == null ? Double.NaN : bs.test().accuracy(),
                as.test() == null ? Double.NaN : as.test().accuracy(), bs.test() == null ? Double.NaN : bs.test().f1Macro(),
                as.test() == null ? Double.NaN : as.test().f1Macro(), bs.trainSeconds(), as.trainSeconds(),
                as.analysisSeconds() / Math.max(1e-9, as.trainSeconds()));
    }
}
