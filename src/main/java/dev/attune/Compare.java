package dev.attune;

import dev.attune.config.RunConfig;
import dev.attune.report.CompareReport;
import dev.attune.report.Comparison;
import dev.attune.report.RunFolder;
import dev.attune.train.RateSearch;
import dev.attune.train.TrainingDivergedException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The with/without comparison. Against the same rate (the default): for each seed, the plain baseline (one rate for
 * all layers, automation off) and the automated run (per-layer rates from spectra) at the configured base rate.
 * Against the sweep: the baseline is the best of a uniform sweep over {@link RateSearch#RATES} (one seed, by best
 * validation loss), run again at every seed, and the automated run is the tuning-free recipe (no rate given:
 * {@code learning_rate: auto} with per-layer rates). Runs already finished in the output folder with the same settings
 * are reused, so an interrupted comparison continues where it stopped. Writes compare.json and report.html.
 */
public final class Compare {
    /** What the automated run is compared with. */
    public enum Against implements Choice {
        /** Both arms at the configured rate: what the per-layer rates alone do. */
        SAME_RATE,
        /** The baseline at the configured rate (what a user tries first), the automated run with no rate given (the demo). */
        CONFIGURED_RATE,
        /** The baseline at the best rate of a sweep, the automated run with no rate given. */
        SWEEP
    }

    private Compare() {}

    /** Runs the comparison into {@code out}, writes its report there and returns it as a value. */
    public static Comparison run(RunConfig config, int seeds, Against against, Path out) {
        if (seeds < 1) throw new AttuneException("--seeds must be at least 1");
        String policy = config.automation().policy().key();
        List<Comparison.Run> baselines = new ArrayList<>(), automated = new ArrayList<>(), sweep = new ArrayList<>();
        long firstSeed = config.trainer().seed();
        RunConfig uniform = config.with("automation.enabled", false);
        if (against == Against.SWEEP) {
            for (double rate : RateSearch.RATES) {
                RunConfig c = uniform.with("trainer.learning_rate", rate).with("output.dir", out.resolve("sweep").resolve(FineTune.rateName(rate)).toString());
                sweep.add(run(c, "sweep " + FineTune.rateName(rate), firstSeed));
            }
        }
        Comparison.Run bestSwept = against == Against.SWEEP ? Comparison.best(sweep) : null;
        double bestRate = bestSwept != null ? bestSwept.learningRate() : config.trainer().learningRate();
        for (int i = 0; i < seeds; i++) {
            long seed = firstSeed + i;
            Path dir = out.resolve("seed-" + seed);
            RunConfig c = config.with("trainer.seed", seed);
            if (bestSwept != null && i == 0) {
                baselines.add(bestSwept);
            } else {
                baselines.add(run(c.with("automation.enabled", false).with("trainer.learning_rate", bestRate)
                        .with("output.dir", dir.resolve("baseline").toString()), "baseline", seed));
            }
            RunConfig auto = c.with("automation.enabled", true).with("output.dir", dir.resolve("automated").toString());
            if (against != Against.SAME_RATE) auto = auto.with("trainer.learning_rate", Double.NaN); // auto: no rate given
            automated.add(run(auto, "automated (" + policy + ")", seed));
        }
        Comparison comparison = Comparison.of(out, config, against == Against.SWEEP, against != Against.SAME_RATE, baselines, automated, sweep);
        try {
            CompareReport.write(comparison);
        } catch (IOException e) {
            throw new AttuneException(out + ": cannot write the comparison report (" + e.getMessage() + ")");
        }
        return comparison;
    }

    /** A run of the comparison: the finished one in its folder when there is one with the same settings, else trained now. */
    private static Comparison.Run run(RunConfig cfg, String label, long seed) {
        RunFolder folder = new RunFolder(Path.of(cfg.output().dir()));
        RunSummary done = folder.readFinished(cfg);
        if (done == null) {
            try {
                done = FineTune.run(cfg, java.nio.file.Files.exists(folder.checkpointDir()), label + " seed " + seed);
            } catch (TrainingDivergedException e) {
                done = folder.readFinished(cfg); // a diverged run is a result too: its curve up to the failure
            }
        } else {
            System.err.println(label + " seed " + seed + ": reusing the finished run in " + folder.dir());
        }
        return new Comparison.Run(label, seed, done.learningRate(), done);
    }
}
