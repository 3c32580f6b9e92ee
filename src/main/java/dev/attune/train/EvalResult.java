package dev.attune.train;

/** An evaluation on the validation set at a step. */
public record EvalResult(long step, double epoch, ClassificationMetrics metrics, double seconds) {
    public double loss() {
        return metrics.loss();
    }
}
