package dev.attune.train;

/** Stops training when the validation loss has not improved for {@code patience} evaluations in a row. */
public final class EarlyStopping implements TrainingListener {
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    public EarlyStopping(int patience) {
        this.patience = patience;
    }

    @Override
    public void onStart(TrainingPlan plan) {
        best = plan.bestLoss();
        bad = plan.evalsWithoutImprovement();
    }

    @Override
    public void onEvaluate(EvalResult r, TrainingControl control) {
        if (r.loss() < best) {
            best = r.loss();
            bad = 0;
        } else if (++bad >= patience) {
            control.stop("early stopping: no improvement in validation loss for " + patience + " evaluations");
        }
    }
}
