package dev.attune.train;

/**
 * The numbers fixed before the first step: total and warmup steps, batches per epoch, the step to start from, and,
 * for a resumed run, the best validation loss so far and how many evaluations have not improved on it.
 */
public record TrainingPlan(long totalSteps, long warmupSteps, int batchesPerEpoch, long startStep, int parameterGroups,
                           long trainableParameters, double bestLoss, long bestStep, int evalsWithoutImprovement) {}
