package dev.attune.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics from predicted probabilities and true label ids: accuracy, macro F1, precision, recall and
 * F1 per class, the confusion matrix (rows true, columns predicted), mean cross-entropy, and ROC-AUC for two classes
 * (the second label is the positive class).
 */
public record ClassificationMetrics(int examples, double loss, double accuracy, double f1Macro,
                                    Map<String, PerClass> perClass, List<String> labels, int[][] confusion, Double rocAuc) {

    public record PerClass(double precision, double recall, double f1, int support) {}

    public static ClassificationMetrics of(float[][] probabilities, long[] truth, List<String> labels) {
        int[] predicted = new int[truth.length];
        for (int i = 0; i < predicted.length; i++) predicted[i] = argmax(probabilities[i]);
        return of(probabilities, truth, labels, predicted);
    }

    /** As {@link #of(float[][], long[], List)} with the predicted label ids given (an operating point's decisions). */
    public static ClassificationMetrics of(float[][] probabilities, long[] truth, List<String> labels, int[] predicted) {
        int n = truth.length, c = labels.size();
        int[][] cm = new int[c][c];
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int pred = predicted[i];
            int y = (int) truth[i];
            cm[y][pred]++;
            if (pred == y) correct++;
            loss -= Math.log(Math.max(probabilities[i][y], 1e-12));
        }
        Map<String, PerClass> per = new LinkedHashMap<>();
        double f1Sum = 0;
        for (int k = 0; k < c; k++) {
            int tp = cm[k][k], predictedK = 0, actual = 0;
            for (int j = 0; j < c; j++) {
                predictedK += cm[j][k];
                actual += cm[k][j];
            }
            double p = predictedK == 0 ? 0 : (double) tp / predictedK;
            double r = actual == 0 ? 0 : (double) tp / actual;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            per.put(labels.get(k), new PerClass(p, r, f1, actual));
            f1Sum += f1;
        }
        Double auc = null;
        if (c == 2) {
            double[] scores = new double[n];
            boolean[] positive = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i] = probabilities[i][1];
                positive[i] = truth[i] == 1;
            }
            auc = rocAuc(scores, positive);
        }
        return new ClassificationMetrics(n, n == 0 ? 0 : loss / n, n == 0 ? 0 : (double) correct / n, c == 0 ? 0 : f1Sum / c,
                per, List.copyOf(labels), cm, auc);
    }

    /** Area under the ROC curve by the rank-sum (Mann-Whitney U) statistic, ties given their average rank; NaN if one class is absent. */
    public static double rocAuc(double[] scores, boolean[] positive) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) rank[order[k]] = avg;
            i = j + 1;
        }
        long pos = 0;
        double rankSum = 0;
        for (int i = 0; i < n; i++) {
            if (positive[i]) {
                pos++;
                rankSum += rank[i];
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) return Double.NaN;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** The index of the largest value (the first of equals): the predicted class of a probability row. */
    public static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    /** The confusion matrix as nested lists (for JSON). */
    public List<List<Integer>> confusionRows() {
        List<List<Integer>> rows = new ArrayList<>();
        for (int[] r : confusion) rows.add(Arrays.stream(r).boxed().toList());
        return rows;
    }
}
