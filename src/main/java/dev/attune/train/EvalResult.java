package dev.attune.train;

/**
 * An evaluation on the validation set at a step, with the loop's verdict: whether it improved on the best
 * validation loss so far, and how many evaluations in a row have not (the loop is the only place that tracks it).
 */
public record EvalResult(long step, double epoch, ClassificationMetrics metrics, double seconds, boolean improved,
                         int evalsWithoutImprovement) {
    public double loss() {
        return metrics.loss();
    }
}
