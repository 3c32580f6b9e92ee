package dev.attune.schedule;

import java.util.List;

/** Policies by their config names, with attune's settings. */
public final class Policies {
    /** The head's factor in {@code auto}: the new classifier starts from random weights. */
    public static final double AUTO_HEAD_FACTOR = 10.0;

    private Policies() {}

    public static final List<String> NAMES = List.of("uniform", "layer_decay", "tempbalance", "block_sigmoid", "uptrain", "auto");

    /**
     * @param sMin lower end of TempBalance's range
     * @param sMax upper end of TempBalance's range
     */
    public static Policy byName(String name, double sMin, double sMax) {
        return switch (name) {
            case "uniform" -> Policy.uniform();
            case "layer_decay" -> Policy.layerDecay(0.85);
            case "tempbalance" -> Policy.tempBalance(sMin, sMax);
            case "block_sigmoid" -> Policy.blockSigmoid(0.5, 2.0);
            case "uptrain" -> Policy.uptrain(5.0, 8.0);
            // measured on SpamAssassin (docs/RESULTS.md): TempBalance's min-max map turns the tiny α differences of
            // a pretrained encoder into a 3× spread and slowed convergence; the bounded sigmoid leaves near-equal
            // layers near 1, and the new head's own rate helped
            case "auto" -> Policy.withHead(Policy.blockSigmoid(0.5, 2.0), AUTO_HEAD_FACTOR);
            default -> throw new IllegalArgumentException("unknown policy '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }
}
