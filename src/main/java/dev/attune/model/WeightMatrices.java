package dev.attune.model;

import dev.attune.engine.Tensor;
import dev.attune.spectral.SpectralAnalyzer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The 2-D weights whose spectra attune measures: query, key, value, attention output, intermediate and output of
 * every layer, the pooler, an inserted pre_classifier and the classifier; word/position embeddings on request.
 * Masked-LM head matrices are left out (they do not take part in fine-tuning).
 */
public final class WeightMatrices {
    private WeightMatrices() {}

    static boolean selected(String name, int dims, boolean embeddings) {
        if (dims != 2 || !name.endsWith(".weight") || name.startsWith("cls.")) return false;
        if (name.startsWith("embeddings.")) return embeddings && !name.contains("token_type");
        return true;
    }

    /** Depth order: embeddings, encoder layers by number (query, key, value, attention output, intermediate, output), pooler, head. */
    static final java.util.Comparator<SpectralAnalyzer.Matrix> DEPTH = java.util.Comparator
            .comparingInt((SpectralAnalyzer.Matrix m) -> layerIndex(m.name()))
            .thenComparingInt(m -> kindIndex(m.name()))
            .thenComparing(SpectralAnalyzer.Matrix::name);

    static int layerIndex(String name) {
        if (name.startsWith("embeddings.")) return -1;
        int n = dev.attune.LayerNames.encoderIndex(name);
        if (n >= 0) return n;
        if (name.startsWith("pooler.")) return 100_000;
        if (name.startsWith("pre_classifier.")) return 100_001;
        return 100_002;
    }

    static int kindIndex(String name) {
        String[] order = {".self.query.", ".self.key.", ".self.value.", "attention.output.", "intermediate.", ".output.dense."};
        for (int i = 0; i < order.length; i++) if (name.contains(order[i])) return i;
        return order.length;
    }

    /** From weights read from files (no native code). */
    public static List<SpectralAnalyzer.Matrix> fromArrays(Map<String, WeightArray> weights, boolean embeddings) {
        List<SpectralAnalyzer.Matrix> out = new ArrayList<>();
        for (WeightArray w : weights.values()) {
            if (selected(w.name(), w.shape().length, embeddings)) out.add(new SpectralAnalyzer.Matrix(w.name(), w.rows(), w.cols(), w.data()));
        }
        out.sort(DEPTH);
        return out;
    }

    /** From a live model's parameters (copies them out). */
    public static List<SpectralAnalyzer.Matrix> fromParameters(Map<String, Tensor> params, boolean embeddings) {
        List<SpectralAnalyzer.Matrix> out = new ArrayList<>();
        params.forEach((name, t) -> {
            long[] s = t.shape();
            if (selected(name, s.length, embeddings)) out.add(new SpectralAnalyzer.Matrix(name, (int) s[0], (int) s[1], t.toFloats()));
        });
        out.sort(DEPTH);
        return out;
    }
}
