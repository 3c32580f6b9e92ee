package dev.attune.engine;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The mask stream against the JDK's SplittableRandom, an independent implementation of the same sequence. */
class MaskStreamTest {

    @Test
    void drawsSplittableRandomsSequence() {
        for (long seed : new long[] {0, 42, -7, 42_000_003L, Long.MAX_VALUE}) {
            SplittableRandom jdk = new SplittableRandom(seed);
            MaskStream ours = MaskStream.seeded(seed);
            for (int i = 0; i < 1000; i++) {
                if (i % 3 == 2) assertEquals(jdk.nextInt(), ours.nextInt(), "seed " + seed + " draw " + i);
                else assertEquals(jdk.nextLong(), ours.nextLong(), "seed " + seed + " draw " + i);
            }
        }
    }

    @Test
    void parallelMasksAreTheOneThreadMaskOfTheSameDraws() {
        int threshold = (int) Math.round(0.1 * 65536);
        // sizes: a tail of 0 to 3, below one task, several tasks with a partial last one
        for (int n : new int[] {1, 7, 1000, (1 << 18) + 3, 3 * (1 << 18) + 1234}) {
            SplittableRandom jdk = new SplittableRandom(9);
            byte[] expected = new byte[n];
            int i = 0;
            while (i + 4 <= n) {
                long r = jdk.nextLong();
                for (int k = 0; k < 4; k++) expected[i++] = (byte) (((r >>> (16 * k)) & 0xffff) >= threshold ? 1 : 0);
            }
            while (i < n) expected[i++] = (byte) ((jdk.nextInt() & 0xffff) >= threshold ? 1 : 0);
            for (int threads : new int[] {1, 2, 8}) {
                MaskStream s = MaskStream.seeded(9);
                assertArrayEquals(expected, s.keepMask(n, threshold, threads), n + " elements, " + threads + " threads");
                SplittableRandom after = new SplittableRandom(9);
                for (int d = 0; d < n / 4 + n % 4; d++) after.nextLong();
                assertEquals(after.nextLong(), s.nextLong(), "the stream goes on after the mask's draws");
            }
        }
    }
}
