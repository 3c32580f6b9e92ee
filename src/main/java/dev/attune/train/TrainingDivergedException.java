package dev.attune.train;

import dev.attune.AttuneException;

/** Training diverged again after the last allowed rollback; the run stops and is marked failed. */
public final class TrainingDivergedException extends AttuneException {
    private final long step;

    public TrainingDivergedException(String message, long step) {
        super(message);
        this.step = step;
    }

    public long step() {
        return step;
    }
}
