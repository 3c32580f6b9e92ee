package dev.attune.train;

/** Stops training when the validation loss has not improved for {@code patience} evaluations in a row. */
public final class EarlyStopping implements TrainingListener {
    private final int patience;

    public EarlyStopping(int patience) {
        this.patience = patience;
    }

    @Override
    public void onEvaluate(EvalResult r, TrainingControl control) {
        if (r.evalsWithoutImprovement() >= patience) {
            control.stop("early stopping: no improvement in validation loss for " + patience + " evaluations");
        }
    }
}
