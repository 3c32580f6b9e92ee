package dev.attune.train;

import dev.attune.data.Dataset;
import dev.attune.data.Example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Metrics on a labelled dataset, overall and per example group (SpamAssassin's hard-ham, a test set's kinds). */
public record Evaluation(ClassificationMetrics overall, Map<String, ClassificationMetrics> groups) {

    /**
     * Scores the model's raw probabilities (N, C) at {@code point} (calibrated, thresholded), or by the most probable
     * label when {@code point} is null.
     */
    public static Evaluation of(Dataset data, float[][] probabilities, long[] truth, List<String> labels, OperatingPoint point) {
        float[][] p = point == null ? probabilities : point.calibrate(probabilities);
        int[] predicted = OperatingPoint.decisions(point, p);
        Map<String, List<Integer>> idx = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            Example e = data.examples().get(i);
            if (e.group() != null) idx.computeIfAbsent(e.group(), k -> new ArrayList<>()).add(i);
        }
        Map<String, ClassificationMetrics> groups = new LinkedHashMap<>();
        for (var g : idx.entrySet()) {
            List<Integer> ix = g.getValue();
            float[][] gp = new float[ix.size()][];
            long[] gt = new long[ix.size()];
            int[] gd = new int[ix.size()];
            for (int k = 0; k < ix.size(); k++) {
                gp[k] = p[ix.get(k)];
                gt[k] = truth[ix.get(k)];
                gd[k] = predicted[ix.get(k)];
            }
            groups.put(g.getKey(), ClassificationMetrics.of(gp, gt, labels, gd));
        }
        return new Evaluation(ClassificationMetrics.of(p, truth, labels, predicted), groups);
    }
}
