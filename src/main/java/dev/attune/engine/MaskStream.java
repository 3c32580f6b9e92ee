package dev.attune.engine;

import java.util.stream.IntStream;

/**
 * The random draws behind dropout masks: the SplitMix64 sequence of {@code new java.util.SplittableRandom(seed)}
 * (same {@link #nextLong} and {@link #nextInt} values, in the same order), with one addition: the k-th value can be
 * computed without the k − 1 before it, so a large mask is drawn by several threads and is still the mask one thread
 * would have drawn.
 */
public final class MaskStream {
    private static final long GAMMA = 0x9e3779b97f4a7c15L;           // SplittableRandom's default increment
    private static final int CHUNK = 1 << 18;                        // elements per parallel task (a multiple of 4)

    private long seed;

    private MaskStream(long seed) {
        this.seed = seed;
    }

    /** The stream {@code new SplittableRandom(seed)} draws. */
    public static MaskStream seeded(long seed) {
        return new MaskStream(seed);
    }

    public long nextLong() {
        return mix64(seed += GAMMA);
    }

    public int nextInt() {
        return mix32(seed += GAMMA);
    }

    /** Receives a mask in pieces: {@code length} values of {@code keep} (1 = keep) for elements from {@code offset}. */
    public interface Chunks {
        void put(int offset, byte[] keep, int length);
    }

    /**
     * A keep-mask of {@code n} elements (1 = keep): element i is dropped when its 16-bit uniform draw is below
     * {@code threshold}; each {@link #nextLong} gives four draws, low bits first, and a tail of fewer than four
     * elements takes one {@link #nextInt} each. {@code threads} tasks fill it at once; the result does not depend on
     * how many.
     */
    public byte[] keepMask(int n, int threshold, int threads) {
        byte[] keep = new byte[n];
        keepMask(n, threshold, threads, (offset, chunk, length) -> System.arraycopy(chunk, 0, keep, offset, length));
        return keep;
    }

    /**
     * The mask {@link #keepMask(int, int, int)} draws, handed to {@code out} in pieces of at most 2^18 elements (from
     * several threads at once, each piece once), so no array of the whole mask is ever allocated.
     */
    public void keepMask(int n, int threshold, int threads, Chunks out) {
        long offset = offset(threshold);
        int words = n / 4;
        forEachWords(words, threads, (from, to, s) -> {
            byte[] keep = new byte[(to - from) * 4];
            for (int i = 0; i < keep.length; ) {
                long kept = kept(mix64(s += GAMMA), offset);
                for (int k = 0; k < 4; k++) keep[i++] = (byte) (kept >>> (16 * k));
            }
            out.put(from * 4, keep, keep.length);
        });
        int tail = n - words * 4;
        if (tail > 0) {
            byte[] keep = new byte[tail];
            for (int i = 0; i < tail; i++) keep[i] = (byte) ((nextInt() & 0xffff) >= threshold ? 1 : 0);
            out.put(words * 4, keep, tail);
        }
    }

    /**
     * The mask {@link #keepMask(int, int, int)} draws, as bf16 values 1.0 (keep) and 0.0 written straight into
     * {@code out} from its position 0 (2n bytes, this machine's byte order): the four elements of one draw go out as
     * one 64-bit store, from several threads at once, with no intermediate array.
     */
    public void keepMaskBf16(int n, int threshold, int threads, java.nio.ByteBuffer out) {
        if (out.capacity() < 2L * n) throw new IllegalArgumentException("a bf16 mask of " + n + " elements needs " + 2L * n + " bytes");
        long offset = offset(threshold);
        int words = n / 4;
        forEachWords(words, threads, (from, to, s) -> {
            java.nio.LongBuffer dst = out.duplicate().order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
            for (int w = from; w < to; w++) {
                dst.put(w, kept(mix64(s += GAMMA), offset) * BF16_ONE);
            }
        });
        java.nio.ByteBuffer tail = out.duplicate().order(java.nio.ByteOrder.nativeOrder());
        for (int i = words * 4; i < n; i++) tail.putShort(2 * i, (nextInt() & 0xffff) >= threshold ? (short) BF16_ONE : 0);
    }

    /** Words [from, to) of the next draws; {@code seed} is the state before the first of them. */
    private interface Words {
        void draw(int from, int to, long seed);
    }

    /** Hands the next {@code words} draws out in pieces of 2^16 words, on several threads at once; then skips them. */
    private void forEachWords(int words, int threads, Words task) {
        long base = seed;
        int perTask = CHUNK / 4, tasks = (words + perTask - 1) / perTask;
        IntStream range = IntStream.range(0, tasks);
        if (threads > 1 && tasks > 1) range = range.parallel();
        range.forEach(c -> {
            int from = c * perTask;
            task.draw(from, Math.min(words, from + perTask), base + (long) from * GAMMA);
        });
        seed = base + words * GAMMA;
    }

    /**
     * The four draws of {@code r} compared with the threshold at once: each 16-bit draw, low bits first, goes to its
     * own 32-bit slot with {@link #offset} (2^16 − threshold) added, so the slot's bit 16 is set exactly when the draw
     * is at least the threshold. Returns 1 at bit 16k where draw k is kept, 0 elsewhere (about 3x fewer operations than
     * comparing the draws one by one).
     */
    private static long kept(long r, long offset) {
        long even = (r & LOW_HALVES) + offset, odd = ((r >>> 16) & LOW_HALVES) + offset;   // draws 0, 2 and 1, 3
        return ((even & BIT_16) >>> 16) | (odd & BIT_16);
    }

    private static final long LOW_HALVES = 0x0000_FFFF_0000_FFFFL, BIT_16 = 0x0001_0000_0001_0000L;

    /** What {@link #kept} adds to each slot for {@code threshold} in [0, 2^16]. */
    private static long offset(int threshold) {
        if (threshold < 0 || threshold > 1 << 16) throw new IllegalArgumentException("threshold " + threshold + " outside [0, 65536]");
        return ((1L << 16) - threshold) * 0x1_0000_0001L;
    }

    private static final long BF16_ONE = 0x3F80;                                       // 1.0: fp32 1.0's upper half

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
