package dev.attune.train;

/**
 * One layer's learning rate as set at a refresh, with the signals measured then: α of W, α of the update so far
 * ΔW = W − W₀ and its relative size ‖ΔW‖ / ‖W₀‖ (each NaN when not measured or not fitted), the multiplier and the
 * resulting rate, for reports.
 */
public record LayerRate(long step, String layer, double alpha, double deltaAlpha, double relativeChange, double multiplier,
                        double learningRate) {}
