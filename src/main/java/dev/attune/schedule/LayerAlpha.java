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
}
