package dev.attune.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What monitoring reads from a set of predictions: the class mix, mean confidence (top probability), mean length in
 * tokens, the unknown-token rate and how many fall below a confidence level. The reference sample and the live window
 * are summarised by the same code, so they compare like with like.
 */
public record TrafficSummary(int size, Map<String, Double> classMix, double confidence, double meanTokens, double unknownTokenRate,
                             int lowConfidence) {
    /** One prediction as monitoring sees it. */
    public record Observation(String label, double confidence, int tokens, int unknownTokens) {}

    public static TrafficSummary of(List<? extends Observation> observations, List<String> labels, double lowConfidenceBelow) {
        Map<String, Double> mix = new LinkedHashMap<>();
        for (String l : labels) mix.put(l, 0.0);
        double conf = 0, tokens = 0;
        long unknown = 0;
        int low = 0;
        for (Observation o : observations) {
            mix.merge(o.label(), 1.0, Double::sum);
            conf += o.confidence();
            tokens += o.tokens();
            unknown += o.unknownTokens();
            if (o.confidence() < lowConfidenceBelow) low++;
        }
        int n = observations.size();
        if (n > 0) mix.replaceAll((k, v) -> v / n);
        return new TrafficSummary(n, mix, n == 0 ? Double.NaN : conf / n, n == 0 ? Double.NaN : tokens / n,
                tokens == 0 ? 0 : unknown / tokens, low);
    }
}
