package dev.attune.serve;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The most recent served predictions (a bounded window), summarised for monitoring. */
final class RecentWindow {
    /** What monitoring keeps of one prediction. */
    record Item(String version, String label, double confidence, int tokens, int unknownTokens, float[] embedding) {}

    /** Class mix, mean confidence, mean length and unknown-token rate of the window. */
    record Summary(int size, Map<String, Double> classMix, double confidence, double meanTokens, double unknownTokenRate, int lowConfidence) {}

    private final int capacity;
    private final double lowConfidence;
    private final ArrayDeque<Item> items;

    RecentWindow(int capacity, double lowConfidence) {
        this.capacity = capacity;
        this.lowConfidence = lowConfidence;
        this.items = new ArrayDeque<>(capacity);
    }

    synchronized void add(Item item) {
        if (items.size() == capacity) items.removeFirst();
        items.addLast(item);
    }

    /** The window's predictions made by model {@code version} (after a swap, the old model's are not comparable). */
    synchronized List<Item> items(String version) {
        return items.stream().filter(i -> i.version().equals(version)).toList();
    }

    Summary summary(String version, List<String> labels) {
        List<Item> all = items(version);
        Map<String, Double> mix = new LinkedHashMap<>();
        for (String l : labels) mix.put(l, 0.0);
        double conf = 0, tokens = 0;
        long unknown = 0, total = 0;
        int low = 0;
        for (Item it : all) {
            mix.merge(it.label(), 1.0, Double::sum);
            conf += it.confidence();
            tokens += it.tokens();
            unknown += it.unknownTokens();
            total += it.tokens();
            if (it.confidence() < lowConfidence) low++;
        }
        int n = all.size();
        if (n > 0) mix.replaceAll((k, v) -> v / n);
        return new Summary(n, mix, n == 0 ? Double.NaN : conf / n, n == 0 ? Double.NaN : tokens / n,
                total == 0 ? 0 : unknown / (double) total, low);
    }
}
