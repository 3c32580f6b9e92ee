package dev.attune.serve;

import dev.attune.monitor.TrafficSummary;

import java.util.ArrayDeque;
import java.util.List;

/** The most recent served predictions (a bounded window), summarised for monitoring. */
final class RecentWindow {
    /** What monitoring keeps of one prediction: the version that made it, its observation and its pooled vector. */
    record Item(String version, TrafficSummary.Observation observation, float[] embedding) {}

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

    TrafficSummary summary(String version, List<String> labels) {
        return TrafficSummary.of(items(version).stream().map(Item::observation).toList(), labels, lowConfidence);
    }
}
