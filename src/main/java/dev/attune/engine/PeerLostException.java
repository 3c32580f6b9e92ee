package dev.attune.engine;

/**
 * Another process of a distributed run is gone (killed, crashed, hung or unreachable): this one stops too, with
 * exit status {@link #EXIT_STATUS}, naming the lost rank when it can tell ({@link #lostRank()}, else −1).
 */
public final class PeerLostException extends RuntimeException {
    public static final int EXIT_STATUS = 3;
    public static final String RESUME_HINT = "the run folder keeps its last checkpoint: run the same command with --resume to finish";

    private final int lostRank;

    public PeerLostException(String message, int lostRank) {
        super(message);
        this.lostRank = lostRank;
    }

    public int lostRank() {
        return lostRank;
    }
}
