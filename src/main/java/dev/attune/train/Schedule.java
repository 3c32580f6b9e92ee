package dev.attune.train;

import dev.attune.config.RunConfig;

/**
 * The global learning-rate schedule as a pure function of the step: linear warmup from 0, then linear decay to 0,
 * cosine decay to 0, or constant (Hugging Face's get_linear/cosine/constant_schedule_with_warmup).
 */
public final class Schedule {
    private Schedule() {}

    /** Multiplier of the base rate at {@code step} (1-based: the update about to be made). */
    public static double factor(RunConfig.Scheduler type, long step, long totalSteps, long warmupSteps) {
        long s = step - 1; // HF counts updates from 0
        if (s < warmupSteps) return (double) s / Math.max(1, warmupSteps);
        if (type == RunConfig.Scheduler.CONSTANT) return 1.0;
        double progress = (double) (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        if (type == RunConfig.Scheduler.COSINE) return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
        return Math.max(0, (double) (totalSteps - s) / Math.max(1, totalSteps - warmupSteps));
    }
}
