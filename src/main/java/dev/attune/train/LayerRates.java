package dev.attune.train;

import java.util.List;
import java.util.Map;

/**
 * Per-layer learning-rate multipliers on top of the global schedule. The loop asks before every update; an
 * implementation decides when its answer changes (for example every K steps, from layer spectra) and says so with a
 * {@link Refresh}, which the loop passes to its listeners.
 */
public interface LayerRates {
    LayerRates UNIFORM = (step, plan) -> new Decision(Map.of(), null);

    /** Multipliers for the update at {@code step}; layers not in the map get 1. */
    Decision multipliers(long step, TrainingPlan plan);

    /** The multipliers to use, and the refresh that produced them when this step made one (else null). */
    record Decision(Map<String, Double> multipliers, Refresh refresh) {}

    /**
     * One refresh: each treated layer's mean α (NaN when no matrix of it could be fitted) and multiplier, α statistics
     * over every fitted matrix, and the seconds the analysis took.
     */
    record Refresh(long step, List<Layer> layers, double alphaMean, double alphaStd, int alphaMatrices, double analysisSeconds) {
        /** α of W, α of ΔW = W − W₀ and ‖ΔW‖ / ‖W₀‖ (NaN when not fitted or measured), and the multiplier set. */
        public record Layer(String layer, double alpha, double deltaAlpha, double relativeChange, double multiplier) {
            public boolean hasAlpha() {
                return Double.isFinite(alpha);
            }
        }
    }
}
