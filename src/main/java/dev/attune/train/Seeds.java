package dev.attune.train;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * Every random stream a run draws comes from its one {@code trainer.seed}, split per consumer here and nowhere else,
 * so a rerun with the same seed repeats every number and a resumed run repeats the steps it redoes:
 * <ul>
 *   <li>data order of epoch e: {@code seed · 1000003 + e};</li>
 *   <li>dropout masks of step s: {@code seed · 1000003 + s} (a {@code MaskStream}: SplittableRandom's sequence, a
 *       different generator);</li>
 *   <li>the new head's initial weights: {@code seed + 1};</li>
 *   <li>the learning-rate range test: data order {@code seed + 7919 · e}, dropout of probe k {@code seed · 31 + k};</li>
 *   <li>training-text augmentation of epoch e: {@code seed · 1000003 + e + 0x4155474D} (a SplittableRandom split once
 *       per example, in dataset order).</li>
 * </ul>
 * Each depends only on the seed and its own counter, never on how many draws another consumer made.
 */
public final class Seeds {
    private static final long STRIDE = 1_000_003L;

    private Seeds() {}

    public static Random dataOrder(long seed, int epoch) {
        return new Random(seed * STRIDE + epoch);
    }

    public static dev.attune.engine.MaskStream dropout(long seed, long step) {
        return dev.attune.engine.MaskStream.seeded(seed * STRIDE + step);
    }

    public static long headInit(long seed) {
        return seed + 1;
    }

    public static SplittableRandom augmentation(long seed, int epoch) {
        return new SplittableRandom(seed * STRIDE + epoch + 0x4155474DL);
    }

    public static Random rangeTestDataOrder(long seed, int epoch) {
        return new Random(seed + 7919L * epoch);
    }

    public static dev.attune.engine.MaskStream rangeTestDropout(long seed, int probe) {
        return dev.attune.engine.MaskStream.seeded(seed * 31 + probe);
    }
}
