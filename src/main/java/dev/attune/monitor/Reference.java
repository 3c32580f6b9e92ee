package dev.attune.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;
import dev.attune.Predictor;
import dev.attune.model.Safetensors;
import dev.attune.model.WeightArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What live traffic is compared with: a sample of held-out labelled data as the served model sees it (the pooled
 * vectors its head reads, its predicted class mix, confidence, length and unknown-token rate), stored beside the model
 * as {@code reference.safetensors} (the vectors, tensor {@code pooled}) and {@code reference.json} (the rest).
 */
public record Reference(float[][] pooled, Map<String, Double> classMix, double confidence, double meanTokens,
                        double unknownTokenRate, int maxLength, String source) {
    public static final String VECTORS = "reference.safetensors", SUMMARY = "reference.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Scores up to {@code size} texts (a seeded sample) with the model as it will be served. */
    public static Reference sample(Predictor predictor, List<String> texts, int size, long seed, int maxLength, String source) {
        List<String> pick = new ArrayList<>(texts);
        Collections.shuffle(pick, new Random(seed));
        pick = pick.subList(0, Math.min(size, pick.size()));
        List<Predictor.Scored> scored = predictor.score(pick);
        float[][] pooled = new float[scored.size()][];
        List<TrafficSummary.Observation> seen = new ArrayList<>(scored.size());
        for (int i = 0; i < scored.size(); i++) {
            Predictor.Scored s = scored.get(i);
            pooled[i] = s.pooled();
            double top = s.prediction().probabilities().values().stream().mapToDouble(Float::doubleValue).max().orElse(0);
            seen.add(new TrafficSummary.Observation(s.prediction().label(), top, s.tokens(), s.unknownTokens()));
        }
        TrafficSummary t = TrafficSummary.of(seen, predictor.labels(), 0);
        return new Reference(pooled, t.classMix(), t.confidence(), t.meanTokens(), t.unknownTokenRate(), maxLength, source);
    }

    public void write(Path modelDir) throws IOException {
        int n = pooled.length, h = pooled[0].length;
        float[] flat = new float[n * h];
        for (int i = 0; i < n; i++) System.arraycopy(pooled[i], 0, flat, i * h, h);
        Safetensors.write(modelDir.resolve(VECTORS), Map.of("pooled", new WeightArray("pooled", new long[] {n, h}, flat)), Map.of("format", "attune-reference"));
        ObjectNode o = JSON.createObjectNode();
        o.put("size", n);
        o.put("source", source);
        o.put("max_length", maxLength);
        ObjectNode mix = o.putObject("class_mix");
        classMix.forEach(mix::put);
        o.put("confidence", confidence);
        o.put("mean_tokens", meanTokens);
        o.put("unknown_token_rate", unknownTokenRate);
        Files.writeString(modelDir.resolve(SUMMARY), JSON.writeValueAsString(o) + "\n");
    }

    /** The reference stored beside a model, or null when it has none (a model trained without validation data). */
    public static Reference read(Path modelDir) {
        Path summary = modelDir.resolve(SUMMARY), vectors = modelDir.resolve(VECTORS);
        if (!Files.exists(summary) || !Files.exists(vectors)) return null;
        try {
            JsonNode o = JSON.readTree(summary.toFile());
            WeightArray w = Safetensors.read(vectors).get("pooled");
            if (w == null || w.shape().length != 2) throw new AttuneException(vectors + ": no (N, H) tensor 'pooled'");
            int n = (int) w.shape()[0], h = (int) w.shape()[1];
            float[][] pooled = new float[n][];
            for (int i = 0; i < n; i++) pooled[i] = java.util.Arrays.copyOfRange(w.data(), i * h, (i + 1) * h);
            Map<String, Double> mix = new LinkedHashMap<>();
            o.path("class_mix").fields().forEachRemaining(e -> mix.put(e.getKey(), e.getValue().asDouble()));
            return new Reference(pooled, mix, o.path("confidence").asDouble(), o.path("mean_tokens").asDouble(),
                    o.path("unknown_token_rate").asDouble(), o.path("max_length").asInt(), o.path("source").asText());
        } catch (IOException e) {
            throw new AttuneException(summary + ": unreadable (" + AttuneException.firstLine(e.getMessage()) + ")", e);
        }
    }
}
