package dev.attune;

import dev.attune.config.RunConfig;
import dev.attune.report.CompareReport;
import dev.attune.report.Comparison;

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
    /** Base rates tried by {@code --sweep-baseline}, as multiples of the configured rate (1× is the first seed's baseline). */
    public static final double[] SWEEP_FACTORS = {0.4, 1.0, 2.0, 4.0};

    private Compare() {}

    /** Runs the comparison into {@code out}, writes its report there and returns it as a value. */
    public static Comparison run(RunConfig config, int seeds, boolean sweepBaseline, Path out) {
        if (seeds < 1) throw new AttuneException("--seeds must be at least 1");
        String policy = config.automation().policy().key();
        List<Comparison.Run> baselines = new ArrayList<>(), automated = new ArrayList<>(), sweep = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = config.trainer().seed() + i;
            RunConfig c = config.with("trainer.seed", seed);
            Path dir = out.resolve("seed-" + seed);
            baselines.add(run(c.with("automation.enabled", false).with("output.dir", dir.resolve("baseline").toString()), "baseline", seed));
            automated.add(run(c.with("automation.enabled", true).with("output.dir", dir.resolve("automated").toString()),
                    "automated (" + policy + ")", seed));
        }
        if (sweepBaseline) {
            long seed = config.trainer().seed();
            for (double f : SWEEP_FACTORS) {
                if (f == 1.0) {
                    sweep.add(baselines.get(0));
                    continue;
                }
                double lr = config.trainer().learningRate() * f;
                RunConfig c = config.with("trainer.seed", seed).with("trainer.learning_rate", lr).with("automation.enabled", false)
                        .with("output.dir", out.resolve("sweep").resolve(String.format("lr-%.1e", lr)).toString());
                sweep.add(run(c, "baseline lr " + lr, seed));
            }
        }
        Comparison comparison = Comparison.of(out, config, baselines, automated, sweep);
        try {
            CompareReport.write(comparison);
        } catch (IOException e) {
            throw new AttuneException(out + ": cannot write the comparison report (" + e.getMessage() + ")");
        }
        return comparison;
    }

    private static Comparison.Run run(RunConfig cfg, String label, long seed) {
        return new Comparison.Run(label, seed, cfg.trainer().learningRate(), FineTune.run(cfg, false, label + " seed " + seed));
    }
}
