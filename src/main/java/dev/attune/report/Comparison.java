package dev.attune.report;

import dev.attune.MeanStd;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A comparison as a value, built from finished runs in memory: per seed, the steps the automated run needed to reach
 * the baseline's best validation loss ({@code steps_speedup}), and, against a sweep, what the whole search cost on both
 * sides ({@code tuning_speedup}). {@link CompareReport} only renders it.
 *
 * @param againstSweep  the baselines are the best rate of {@code sweep}, run at every seed
 * @param tuningFree    the automated runs were given no learning rate
 * @param sweepCostSteps training steps of every sweep run (0 without a sweep)
 */
public record Comparison(Path dir, RunConfig config, boolean againstSweep, boolean tuningFree, List<Run> baselines, List<Run> automated,
                         List<Run> sweep, List<SeedResult> seeds, double speedupMean, double speedupStd, int reached,
                         Run bestSweep, long sweepCostSteps, double tuningSpeedupMean, double tuningSpeedupStd) {

    /** One run of a comparison: its label, seed, base rate and what it produced (curves included). */
    public record Run(String label, long seed, double learningRate, RunSummary summary) {
        public Curves curves() {
            return summary.curves();
        }
    }

    /**
     * One seed's comparison. {@code speedup}: the baseline's steps to its best validation loss over the automated run's
     * steps to the same loss (NaN when never reached). {@code autoCostSteps}: the automated run's rate search plus its
     * steps to that loss; {@code tuningSpeedup}: the sweep's cost over it (NaN without a sweep or when never reached).
     */
    public record SeedResult(long seed, double targetLoss, long baselineSteps, long automatedSteps, double speedup,
                             double baselineArea, double automatedArea, double baselineAccuracy, double automatedAccuracy,
                             double baselineF1, double automatedF1, double baselineSeconds, double automatedSeconds,
                             double analysisOverhead, double baselineRate, double automatedRate, double searchCostSteps,
                             double autoCostSteps, double tuningSpeedup) {}

    /** The sweep run with the lowest best validation loss (a run that diverged before its first evaluation never wins). */
    public static Run best(List<Run> sweep) {
        return sweep.stream().min(Comparator.comparingDouble(r -> finiteOr(r.curves().bestEvalLoss()))).orElseThrow();
    }

    private static double finiteOr(double v) {
        return Double.isFinite(v) ? v : Double.POSITIVE_INFINITY;
    }

    public static Comparison of(Path dir, RunConfig config, boolean againstSweep, boolean tuningFree, List<Run> baselines, List<Run> automated, List<Run> sweep) {
        long sweepCost = sweep.stream().mapToLong(r -> r.summary().steps()).sum();
        List<SeedResult> seeds = new ArrayList<>();
        for (int i = 0; i < baselines.size(); i++) seeds.add(compare(baselines.get(i), automated.get(i), sweepCost));
        double[] reachedSpeedups = seeds.stream().mapToDouble(SeedResult::speedup).filter(Double::isFinite).toArray();
        MeanStd speedup = MeanStd.sample(reachedSpeedups);
        MeanStd tuning = MeanStd.sample(seeds.stream().mapToDouble(SeedResult::tuningSpeedup).filter(Double::isFinite).toArray());
        return new Comparison(dir, config, againstSweep, tuningFree, List.copyOf(baselines), List.copyOf(automated), List.copyOf(sweep), seeds,
                speedup.mean(), speedup.std(), reachedSpeedups.length, sweep.isEmpty() ? null : best(sweep), sweepCost,
                tuning.mean(), tuning.std());
    }

    /**
     * speed-up = steps the baseline needed to reach its best validation loss / steps the automated run needed to
     * reach that loss; NaN when the automated run never reached it.
     */
    static SeedResult compare(Run base, Run auto, long sweepCost) {
        double target = base.curves().bestEvalLoss();
        long baseSteps = base.curves().firstStepReaching(target);
        long autoSteps = auto.curves().firstStepReaching(target);
        double speedup = autoSteps > 0 ? (double) baseSteps / autoSteps : Double.NaN;
        RunSummary bs = base.summary(), as = auto.summary();
        double autoCost = autoSteps > 0 ? as.searchCostSteps() + autoSteps : Double.NaN;
        double tuning = sweepCost > 0 && autoSteps > 0 ? sweepCost / autoCost : Double.NaN;
        return new SeedResult(base.seed(), target, baseSteps, autoSteps, speedup, base.curves().evalLossArea(),
                auto.curves().evalLossArea(), bs.test() == null ? Double.NaN : bs.test().accuracy(),
                as.test() == null ? Double.NaN : as.test().accuracy(), bs.test() == null ? Double.NaN : bs.test().f1Macro(),
                as.test() == null ? Double.NaN : as.test().f1Macro(), bs.trainSeconds(), as.trainSeconds(),
                as.analysisSeconds() / Math.max(1e-9, as.trainSeconds()), base.learningRate(), auto.learningRate(),
                as.searchCostSteps(), autoCost, tuning);
    }
}
