package dev.attune.train;

import dev.attune.AttuneException;
import dev.attune.data.Tokenizer;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;

import java.io.IOException;
import java.nio.file.Path;

/** Writes the model as a Hugging Face-style directory whenever the validation loss reaches a new best. */
public final class BestModelSaver implements TrainingListener {
    private final SequenceClassifier model;
    private final Tokenizer tokenizer;
    private final Path dir;
    private double best = Double.POSITIVE_INFINITY;
    private long bestStep = -1;

    public BestModelSaver(SequenceClassifier model, Tokenizer tokenizer, Path dir) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.dir = dir;
    }

    @Override
    public void onStart(TrainingPlan plan) {
        best = plan.bestLoss();
        bestStep = plan.bestLoss() < Double.POSITIVE_INFINITY ? plan.bestStep() : -1;
    }

    @Override
    public void onEvaluate(EvalResult r, TrainingControl control) {
        if (r.loss() >= best) return;
        best = r.loss();
        bestStep = r.step();
        try {
            Pretrained.save(model, tokenizer, dir);
        } catch (IOException e) {
            throw new AttuneException(dir + ": cannot write model (" + e.getMessage() + ")");
        }
    }

    public long bestStep() {
        return bestStep;
    }

    public double bestLoss() {
        return best;
    }
}
