package dev.attune.train;

import java.util.Map;

/**
 * Per-layer learning-rate multipliers on top of the global schedule. The loop asks before every update;
 * an implementation decides when its answer changes (for example every K steps, from layer spectra).
 */
public interface LayerRates {
    LayerRates UNIFORM = (step, total) -> Map.of();

    /** Multiplier per layer name for the update at {@code step}; layers not in the map get 1. */
    Map<String, Double> multipliers(long step, long totalSteps);
}
