package dev.attune;

import dev.attune.train.ClassificationMetrics;

import dev.attune.report.Curves;
import dev.attune.train.LayerRate;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a fine-tuning run produced: test metrics (overall and per example group), the best validation loss and its
 * step, the cost (steps, seconds over every segment of a resumed run, step time, tokens per second, peak memory) and
 * how many diverged steps were rolled back; the base learning rate (chosen when the config said {@code auto}) and what
 * choosing it cost beyond the run, in training steps; the loss curves and the per-layer rate refreshes, in memory;
 * the operating point fitted on the validation split (null without one: then the test metrics are by the most
 * probable label) and the metrics on each of {@code data.extra_tests}, by file.
 */
public record RunSummary(Path runDir, ClassificationMetrics test, Map<String, ClassificationMetrics> testGroups,
                         double bestValidationLoss, long bestStep, long steps, double trainSeconds,
                         double medianStepSeconds, double tokensPerSecond, double peakRssMb, String precision,
                         String stopReason, Path modelDir, double analysisSeconds, int refreshes, int rollbacks,
                         Curves curves, List<LayerRate> layerRates, double learningRate, double searchCostSteps,
                         dev.attune.train.OperatingPoint operatingPoint, Map<String, dev.attune.train.Evaluation> extraTests,
                         Parallel parallel) {

    /**
     * How many processes trained the run (data-parallel), and what their gradient all-reduce cost per step: bytes
     * all-reduced by each process and seconds in collectives (averaged over the steps of rank 0).
     */
    public record Parallel(int worldSize, double allReduceBytesPerStep, double communicationSecondsPerStep) {
        public static final Parallel SINGLE = new Parallel(1, 0, 0);
    }

    /** A one-process run's summary. */
    public RunSummary(Path runDir, ClassificationMetrics test, Map<String, ClassificationMetrics> testGroups,
                      double bestValidationLoss, long bestStep, long steps, double trainSeconds,
                      double medianStepSeconds, double tokensPerSecond, double peakRssMb, String precision,
                      String stopReason, Path modelDir, double analysisSeconds, int refreshes, int rollbacks,
                      Curves curves, List<LayerRate> layerRates, double learningRate, double searchCostSteps,
                      dev.attune.train.OperatingPoint operatingPoint, Map<String, dev.attune.train.Evaluation> extraTests) {
        this(runDir, test, testGroups, bestValidationLoss, bestStep, steps, trainSeconds, medianStepSeconds, tokensPerSecond,
                peakRssMb, precision, stopReason, modelDir, analysisSeconds, refreshes, rollbacks, curves, layerRates, learningRate,
                searchCostSteps, operatingPoint, extraTests, Parallel.SINGLE);
    }
}
