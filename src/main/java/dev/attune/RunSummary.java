package dev.attune;

import dev.attune.train.ClassificationMetrics;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a fine-tuning run produced: test metrics (overall and per example group), the best validation loss and its
 * step, and the cost (steps, seconds, step time, tokens per second, peak memory).
 */
public record RunSummary(Path runDir, ClassificationMetrics test, Map<String, ClassificationMetrics> testGroups,
                         double bestValidationLoss, long bestStep, long steps, double trainSeconds,
                         double medianStepSeconds, double tokensPerSecond, double peakRssMb, String precision,
                         String stopReason, Path modelDir, double analysisSeconds, int refreshes) {}
