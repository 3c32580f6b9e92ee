package dev.attune.train;

/** The numbers fixed before the first step: total and warmup steps, batches per epoch, the step to start from. */
public record TrainingPlan(long totalSteps, long warmupSteps, int batchesPerEpoch, long startStep, int parameterGroups,
                           long trainableParameters) {}
