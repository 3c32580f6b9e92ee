package dev.attune.schedule;

/**
 * What a policy knows about one layer (a parameter-group unit such as {@code encoder.layer.3} or {@code classifier}):
 * its depth (0 = embeddings, 1..L = encoder layers, L+1 = pooler and head), its mean α over fitted matrices (NaN
 * when none could be fitted) and its update-to-weight ratio from training (NaN when unknown).
 */
public record LayerAlpha(String layer, int depth, double alpha, double updateRatio) {
    public boolean hasAlpha() {
        return Double.isFinite(alpha);
    }

    /** Each layer's mean α over its fitted matrices, with its depth, in the order of {@code layers}. */
    public static java.util.List<LayerAlpha> of(java.util.List<dev.attune.spectral.LayerSpectrum> spectra,
                                                java.util.List<String> layers, int encoderLayers) {
        java.util.Map<String, java.util.List<Double>> perLayer = new java.util.LinkedHashMap<>();
        for (var s : spectra) {
            if (s.fitted()) perLayer.computeIfAbsent(dev.attune.LayerNames.layerOf(s.name()), k -> new java.util.ArrayList<>()).add(s.alpha());
        }
        java.util.List<LayerAlpha> out = new java.util.ArrayList<>();
        for (String l : layers) {
            java.util.List<Double> a = perLayer.get(l);
            double alpha = a == null ? Double.NaN : a.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            out.add(new LayerAlpha(l, LayerSelection.depth(l, encoderLayers), alpha, Double.NaN));
        }
        return out;
    }
}
