package dev.attune.train;

/** Flags through which listeners steer the loop; they never reach into it. */
public final class TrainingControl {
    private boolean stop;
    private String stopReason;

    public void stop(String reason) {
        stop = true;
        stopReason = reason;
    }

    private boolean checkpoint;

    /** Asks the loop to write a resumable checkpoint after the current step. */
    public void requestCheckpoint() {
        checkpoint = true;
    }

    boolean takeCheckpointRequest() {
        boolean c = checkpoint;
        checkpoint = false;
        return c;
    }

    public boolean shouldStop() {
        return stop;
    }

    public String stopReason() {
        return stopReason;
    }
}
