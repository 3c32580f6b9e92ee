package dev.attune.train;

/** What one optimisation step did: training loss, base learning rate after the schedule, gradient norm, speed. */
public record StepMetrics(long step, double epoch, double loss, double learningRate, double gradNorm,
                          double stepSeconds, double tokensPerSecond, long tokens) {}
