package dev.attune.train;

/**
 * Tells a diverging step from a noisy one: a loss or gradient norm that is not finite, a loss far above its running
 * level (more than twice the loss of uniform guessing, ln C, above its moving average), or a gradient norm a
 * thousand times its moving average. Pure arithmetic on the numbers the step returns; the loop decides what to do.
 */
public final class DivergenceGuard implements TrainStep.Guard {
    static final double GRAD_NORM_FACTOR = 1000;
    private static final double SMOOTHING = 0.1;

    private final double lossMargin;
    private double lossAverage = Double.NaN;
    private double gradNormAverage = Double.NaN;
    private boolean lastWasLossSpike;

    /** @param classes the number of classes C, which sets the loss margin 2 ln C */
    public DivergenceGuard(int classes) {
        this.lossMargin = 2 * Math.log(Math.max(2, classes));
    }

    /** Why this step diverged, or null when it did not; a step that did not diverge updates the running levels. */
    @Override
    public String reject(double loss, double gradNorm) {
        lastWasLossSpike = false;
        if (!Double.isFinite(loss)) return "loss " + loss;
        if (!Double.isNaN(gradNorm) && !Double.isFinite(gradNorm)) return "gradient norm " + gradNorm;
        if (!Double.isNaN(lossAverage) && loss > lossAverage + lossMargin) {
            lastWasLossSpike = true;
            return String.format("loss %.4g far above its running level %.4g", loss, lossAverage);
        }
        if (!Double.isNaN(gradNormAverage) && !Double.isNaN(gradNorm) && gradNorm > GRAD_NORM_FACTOR * gradNormAverage) {
            return String.format("gradient norm %.4g exploded (running level %.4g)", gradNorm, gradNormAverage);
        }
        lossAverage = Double.isNaN(lossAverage) ? loss : lossAverage + SMOOTHING * (loss - lossAverage);
        if (!Double.isNaN(gradNorm)) {
            gradNormAverage = Double.isNaN(gradNormAverage) ? gradNorm : gradNormAverage + SMOOTHING * (gradNorm - gradNormAverage);
        }
        return null;
    }

    /** Whether the last rejection was for the loss criterion alone (finite loss and gradient norm). */
    public boolean lastWasLossSpike() {
        return lastWasLossSpike;
    }

    /**
     * The guard for a step replayed from a checkpoint after its own loss spike made the run roll back: if its loss
     * spikes again from the checkpoint's weights, the batch is hard (new kinds of examples), not the weights broken,
     * so that spike is applied; non-finite values and exploding gradients are still rejected.
     */
    public TrainStep.Guard forReplayOfLossSpike() {
        return (loss, gradNorm) -> {
            String r = reject(loss, gradNorm);
            return r != null && lastWasLossSpike ? null : r;
        };
    }

    /** Forgets the running levels (after a rollback the weights are those of an earlier step). */
    public void reset() {
        lossAverage = Double.NaN;
        gradNormAverage = Double.NaN;
    }
}
