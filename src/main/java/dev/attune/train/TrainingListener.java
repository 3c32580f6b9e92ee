package dev.attune.train;

/** Observes the training loop: logging, progress, early stopping and checkpoints are listeners. */
public interface TrainingListener {
    default void onStart(TrainingPlan plan) {}

    default void onStep(StepMetrics m, TrainingControl control) {}

    default void onEvaluate(EvalResult r, TrainingControl control) {}

    /** The loop restored the checkpoint of {@code r.toStep()} after a diverged step; steps after it will be redone. */
    default void onRollback(Rollback r) {}

    default void onEnd(long steps, TrainingControl control) {}
}
