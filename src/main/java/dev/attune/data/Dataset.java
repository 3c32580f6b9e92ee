package dev.attune.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Labelled examples read from one file; {@code source} names it in messages. */
public record Dataset(Path source, List<Example> examples) {
    public int size() {
        return examples.size();
    }

    /** This dataset followed by {@code more}'s examples; messages name this one's source. */
    public Dataset with(List<Dataset> more) {
        if (more.isEmpty()) return this;
        List<Example> all = new java.util.ArrayList<>(examples);
        for (Dataset d : more) all.addAll(d.examples());
        return new Dataset(source, all);
    }

    /** Label → count, sorted by label. */
    public Map<String, Integer> labelCounts() {
        Map<String, Integer> m = new TreeMap<>();
        for (Example e : examples) m.merge(e.label(), 1, Integer::sum);
        return m;
    }
}
