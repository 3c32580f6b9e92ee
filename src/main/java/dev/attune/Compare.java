package dev.attune;

import dev.attune.config.RunConfig;
import dev.attune.report.CompareReport;
import dev.attune.report.Curves;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The with/without comparison: for each seed, the plain baseline (one rate for all layers, automation off) and the
 * automated run (per-layer rates from spectra), same base rate, data order and seed; optionally a sweep of baseline
 * rates, compared against the best of them. Writes compare.json, loss_curves.png, layer_lr.png and report.html.
 */
public final class Compare {
    /** One run of a comparison: its label, seed, base rate, summary and curves. */
    public record Run(String label, long seed, double learningRate, RunSummary summary, Curves curves) {}

    /** The report's numbers and the runs behind them. */
    public record Outcome(CompareReport.Result report, List<Run> baselines, List<Run> automated, List<Run> sweep) {}

    /** Base rates tried by {@code --sweep-baseline}, as multiples of the configured rate (1× is the first seed's baseline). */
    public static final double[] SWEEP_FACTORS = {0.4, 1.0, 2.0, 4.0};

    private Compare() {}

    public static Outcome run(RunConfig config, int seeds, boolean sweepBaseline, Path out) {
        if (seeds < 1) throw new AttuneException("--seeds must be at least 1");
        RunConfig.Automation a = config.automation();
        RunConfig.Automation on = a.withEnabled(true), off = a.withEnabled(false);
        List<Run> baselines = new ArrayList<>(), automated = new ArrayList<>(), sweep = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = config.trainer().seed() + i;
            RunConfig.Trainer t = config.trainer().withSeed(seed);
            Path dir = out.resolve("seed-" + seed);
            baselines.add(run(config.withTrainer(t).withAutomation(off).withOutputDir(dir.resolve("baseline").toString()), "baseline", seed));
            automated.add(run(config.withTrainer(t).withAutomation(on).withOutputDir(dir.resolve("automated").toString()),
                    "automated (" + a.policy() + ")", seed));
        }
        if (sweepBaseline) {
            long seed = config.trainer().seed();
            for (double f : SWEEP_FACTORS) {
                if (f == 1.0) {
                    sweep.add(baselines.get(0));
                    continue;
                }
                double lr = config.trainer().learningRate() * f;
                RunConfig.Trainer t = config.trainer().withSeed(seed).withLearningRate(lr);
                sweep.add(run(config.withTrainer(t).withAutomation(off)
                        .withOutputDir(out.resolve("sweep").resolve(String.format("lr-%.1e", lr)).toString()), "baseline lr " + lr, seed));
            }
        }
        try {
            return new Outcome(CompareReport.write(out, config, baselines, automated, sweep), baselines, automated, sweep);
        } catch (IOException e) {
            throw new AttuneException(out + ": cannot write the comparison report (" + e.getMessage() + ")");
        }
    }

    private static Run run(RunConfig cfg, String label, long seed) {
        RunSummary s = FineTune.run(cfg, false, label + " seed " + seed);
        try {
            return new Run(label, seed, cfg.trainer().learningRate(), s, Curves.read(s.runDir().resolve("metrics.jsonl")));
        } catch (IOException e) {
            throw new AttuneException(s.runDir() + ": cannot read metrics.jsonl (" + e.getMessage() + ")");
        }
    }
}
