package dev.attune;

/**
 * The one place that reads layers out of Hugging Face parameter names. A layer is {@code encoder.layer.N} for the
 * N-th encoder block and the first name component otherwise ({@code embeddings}, {@code pooler},
 * {@code pre_classifier}, {@code classifier}): {@code encoder.layer.3.attention.self.query.weight} belongs to
 * {@code encoder.layer.3}, {@code embeddings.LayerNorm.weight} to {@code embeddings}.
 */
public final class LayerNames {
    private static final String ENCODER = "encoder.layer.";

    private LayerNames() {}

    /** The layer of a parameter (or of a layer name, which is its own layer). */
    public static String layerOf(String parameter) {
        if (parameter.startsWith(ENCODER)) {
            int end = parameter.indexOf('.', ENCODER.length());
            return end < 0 ? parameter : parameter.substring(0, end);
        }
        int dot = parameter.indexOf('.');
        return dot < 0 ? parameter : parameter.substring(0, dot);
    }

    /** N for {@code encoder.layer.N} and its parameters; -1 for anything outside the encoder blocks. */
    public static int encoderIndex(String name) {
        if (!name.startsWith(ENCODER)) return -1;
        String layer = layerOf(name);
        try {
            return Integer.parseInt(layer.substring(ENCODER.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code encoder.layer.N}. */
    public static String encoderLayer(int n) {
        return ENCODER + n;
    }
}
