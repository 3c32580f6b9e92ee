package dev.attune.report;


import java.util.ArrayList;
import java.util.List;

/** A run's loss curves as (step, loss) pairs, and the numbers a comparison needs from them. */
public record Curves(List<double[]> trainLoss, List<double[]> evalLoss) {
    public double bestEvalLoss() {
        return evalLoss.stream().mapToDouble(p -> p[1]).min().orElse(Double.NaN);
    }

    /** The first evaluation step whose loss is at most {@code target}; -1 if none. */
    public long firstStepReaching(double target) {
        for (double[] p : evalLoss) if (p[1] <= target * (1 + 1e-12)) return (long) p[0];
        return -1;
    }

    /** Mean validation loss over training: the area under the curve (trapezoids) over the steps it spans. */
    public double evalLossArea() {
        if (evalLoss.size() < 2) return evalLoss.isEmpty() ? Double.NaN : evalLoss.get(0)[1];
        double area = 0;
        for (int i = 1; i < evalLoss.size(); i++) {
            double[] a = evalLoss.get(i - 1), b = evalLoss.get(i);
            area += (b[0] - a[0]) * (a[1] + b[1]) / 2;
        }
        return area / (evalLoss.get(evalLoss.size() - 1)[0] - evalLoss.get(0)[0]);
    }

    /** Exponential moving average of the logged training loss (weight 0.6 on the past), for plotting. */
    public List<double[]> smoothedTrainLoss() {
        List<double[]> out = new ArrayList<>();
        double ema = Double.NaN;
        for (double[] p : trainLoss) {
            ema = Double.isNaN(ema) ? p[1] : 0.6 * ema + 0.4 * p[1];
            out.add(new double[] {p[0], ema});
        }
        return out;
    }
}
