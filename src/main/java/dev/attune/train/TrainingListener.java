package dev.attune.train;

/** Observes the training loop: logging, progress, early stopping and checkpoints are listeners. */
public interface TrainingListener {
    default void onStart(TrainingPlan plan) {}

    default void onStep(StepMetrics m, TrainingControl control) {}

    default void onEvaluate(EvalResult r, TrainingControl control) {}

    default void onEnd(long steps, TrainingControl control) {}
}
