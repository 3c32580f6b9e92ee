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

    @Test
    void masksAtEveryRateMatchSplittableRandomsDraws() {
        // thresholds at both ends (keep all, drop all) and around the 0.1 rate training uses
        for (int threshold : new int[] {0, 1, 6553, 6554, 32768, 65535, 65536}) {
            int n = 70_001;                                               // a tail of one draw after the four-element words
            SplittableRandom jdk = new SplittableRandom(5);
            boolean[] keep = new boolean[n];
            int i = 0;
            while (i + 4 <= n) {
                long r = jdk.nextLong();
                for (int k = 0; k < 4; k++) keep[i++] = ((r >>> (16 * k)) & 0xffff) >= threshold;
            }
            while (i < n) keep[i++] = (jdk.nextInt() & 0xffff) >= threshold;
            assertArrayEquals(bytes(keep), MaskStream.seeded(5).keepMask(n, threshold, 2), "threshold " + threshold);
            java.nio.ByteBuffer bf16 = java.nio.ByteBuffer.allocateDirect(2 * n).order(java.nio.ByteOrder.nativeOrder());
            MaskStream.seeded(5).keepMaskBf16(n, threshold, 2, bf16);
            for (i = 0; i < n; i++) {
                assertEquals(keep[i] ? (short) 0x3F80 : 0, bf16.getShort(2 * i), "threshold " + threshold + ", element " + i);
            }
        }
    }

    private static byte[] bytes(boolean[] keep) {
        byte[] out = new byte[keep.length];
        for (int i = 0; i < keep.length; i++) out[i] = (byte) (keep[i] ? 1 : 0);
        return out;
    }
}
