package dev.attune.schedule;

import java.util.LinkedHashMap;
import java.util.Map;

/** Post-processing shared by all policies: clamping, and normalisation that keeps the mean multiplier at 1. */
public final class Multipliers {
    private Multipliers() {}

    /**
     * The multipliers of a refresh: the policy's answer for the layers, clamped to [min, max] (a safety bound, not the
     * policy's range), then optionally normalised to mean 1, then optionally replaced by their mean for every layer.
     */
    public static Map<String, Double> forLayers(Policy policy, java.util.List<LayerAlpha> layers, double min, double max,
                                                boolean normalize, boolean perLayer) {
        Map<String, Double> m = clamp(policy.multipliers(layers), min, max);
        if (normalize) m = normalizeMean(m);
        if (!perLayer) m = global(m);
        return Map.copyOf(m);
    }

    public static Map<String, Double> clamp(Map<String, Double> m, double min, double max) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, Double.isFinite(v) ? Math.max(min, Math.min(max, v)) : 1.0));
        return out;
    }

    /** Scales the multipliers so their mean is 1 (the average rate stays the global schedule's). */
    public static Map<String, Double> normalizeMean(Map<String, Double> m) {
        double mean = m.values().stream().mapToDouble(Double::doubleValue).average().orElse(1);
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, mean > 0 ? v / mean : v));
        return out;
    }

    /** One global adjustment instead of per-layer rates: every layer gets the mean multiplier. */
    public static Map<String, Double> global(Map<String, Double> m) {
        double mean = m.values().stream().mapToDouble(Double::doubleValue).average().orElse(1);
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, mean));
        return out;
    }
}
