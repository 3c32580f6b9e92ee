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

    public BestModelSaver(SequenceClassifier model, Tokenizer tokenizer, Path dir) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.dir = dir;
    }

    @Override
    public void onEvaluate(EvalResult r, TrainingControl control) {
        if (!r.improved()) return;
        try {
            Pretrained.save(model, tokenizer, dir);
        } catch (IOException e) {
            throw new AttuneException(dir + ": cannot write model (" + e.getMessage() + ")");
        }
    }
}
