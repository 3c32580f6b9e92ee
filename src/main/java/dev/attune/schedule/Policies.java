package dev.attune.schedule;


/** Policies by their config names, with attune's settings. */
public final class Policies {
    /** The head's factor in {@code auto}: the new classifier starts from random weights. */
    public static final double AUTO_HEAD_FACTOR = 10.0;

    private Policies() {}

    /** The policies a config can name ({@code automation.policy}). */
    public enum Name implements dev.attune.Choice {
        UNIFORM, LAYER_DECAY, TEMPBALANCE, BLOCK_SIGMOID, UPTRAIN, AUTO
    }

    /**
     * @param sMin lower end of TempBalance's range
     * @param sMax upper end of TempBalance's range
     */
    public static Policy byName(Name name, double sMin, double sMax) {
        return switch (name) {
            case UNIFORM -> Policy.uniform();
            case LAYER_DECAY -> Policy.layerDecay(0.85);
            case TEMPBALANCE -> Policy.tempBalance(sMin, sMax);
            case BLOCK_SIGMOID -> Policy.blockSigmoid(0.5, 2.0);
            case UPTRAIN -> Policy.uptrain(5.0, 8.0);
            // measured on SpamAssassin (docs/RESULTS.md): TempBalance's min-max map turns the tiny α differences of
            // a pretrained encoder into a 3× spread and slowed convergence; the bounded sigmoid leaves near-equal
            // layers near 1, and the new head's own rate helped
            case AUTO -> Policy.withHead(Policy.blockSigmoid(0.5, 2.0), AUTO_HEAD_FACTOR);
        };
    }
}
