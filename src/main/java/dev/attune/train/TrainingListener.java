package dev.attune.train;

/** Observes the training loop: logging, progress, early stopping and checkpoints are listeners. */
public interface TrainingListener {
    default void onStart(TrainingPlan plan) {}

    default void onStep(StepMetrics m, TrainingControl control) {}

    default void onEvaluate(EvalResult r, TrainingControl control) {}

    /** New per-layer multipliers took effect at {@code r.step()}, whose base learning rate (after the schedule) is {@code learningRate}. */
    default void onRefresh(LayerRates.Refresh r, double learningRate) {}

    /** The loop restored the checkpoint of {@code r.toStep()} after a diverged step; steps after it will be redone. */
    default void onRollback(Rollback r) {}

    /** The curvature along the update of {@code c.step()} was measured. */
    default void onCurvature(CurvatureProbe.Measurement c) {}

    default void onEnd(long steps, TrainingControl control) {}
}
