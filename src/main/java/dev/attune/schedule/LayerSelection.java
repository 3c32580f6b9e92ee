package dev.attune.schedule;

import dev.attune.AttuneException;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which layers automation treats, from {@code automation.layers}: exact layer names ({@code classifier}), glob
 * patterns ({@code encoder.layer.*}) or encoder layer numbers ({@code 11}). Empty means every layer.
 */
public final class LayerSelection {
    private LayerSelection() {}

    public static List<String> select(List<String> selectors, List<String> layers) {
        if (selectors.isEmpty()) return List.copyOf(layers);
        Set<String> out = new LinkedHashSet<>();
        for (String s : selectors) {
            List<String> hits = new ArrayList<>();
            if (s.matches("\\d+")) {
                String layer = dev.attune.LayerNames.encoderLayer(Integer.parseInt(s));
                if (layers.contains(layer)) hits.add(layer);
            } else {
                PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + s);
                for (String l : layers) if (l.equals(s) || glob.matches(Path.of(l))) hits.add(l);
            }
            if (hits.isEmpty()) throw new AttuneException("automation.layers: '" + s + "' matches no layer (layers: " + String.join(", ", layers) + ")");
            out.addAll(hits);
        }
        List<String> ordered = new ArrayList<>();
        for (String l : layers) if (out.contains(l)) ordered.add(l);
        return ordered;
    }

    /** Depth of a layer for policies: embeddings 0, encoder.layer.i → i + 1, pooler and head → encoderLayers + 1. */
    public static int depth(String layer, int encoderLayers) {
        if (layer.equals("embeddings")) return 0;
        int n = dev.attune.LayerNames.encoderIndex(layer);
        if (n >= 0) return n + 1;
        return encoderLayers + 1;
    }
}
