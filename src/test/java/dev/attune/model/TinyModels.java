package dev.attune.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small random BERT models written as Hugging Face-style directories, for tests of loading and errors. */
public final class TinyModels {
    private TinyModels() {}

    public static BertConfig config(int vocab) {
        return BertConfig.of(vocab, 16, 2, 2, 32, 64);
    }

    public static Map<String, WeightArray> randomWeights(BertConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, WeightArray> w = new LinkedHashMap<>();
        for (var e : BertModel.expectedShapes(c).entrySet()) {
            if (e.getKey().startsWith("cls.")) continue;
            long n = 1;
            for (long d : e.getValue()) n *= d;
            float[] data = new float[(int) n];
            boolean gain = e.getKey().endsWith("LayerNorm.weight");
            for (int i = 0; i < n; i++) data[i] = gain ? 1f : (float) (r.nextGaussian() * 0.02);
            w.put(e.getKey(), new WeightArray(e.getKey(), e.getValue(), data));
        }
        return w;
    }

    /** Writes config.json, model.safetensors and the default model's tokenizer.json into {@code dir}. */
    public static Path write(Path dir, BertConfig c, Map<String, WeightArray> weights) throws IOException {
        Files.createDirectories(dir);
        c.write(dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        Files.copy(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        return dir;
    }
}
