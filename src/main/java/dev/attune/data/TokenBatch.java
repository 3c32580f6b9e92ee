package dev.attune.data;

import java.util.List;

/**
 * Model inputs for a padded batch, row-major [batchSize, seqLen]: token ids, attention mask (1 = real token),
 * token-type ids. The encoder checks ids against its vocabulary before any native call.
 */
public record TokenBatch(int batchSize, int seqLen, long[] inputIds, long[] attentionMask, long[] tokenTypeIds) {
    public TokenBatch {
        int n = batchSize * seqLen;
        if (inputIds.length != n || attentionMask.length != n || tokenTypeIds.length != n) {
            throw new IllegalArgumentException("token batch arrays must hold " + batchSize + " x " + seqLen + " values");
        }
    }

    /** Rows of token ids padded to the longest with {@code padId}; token types all 0 (single sentences). */
    public static TokenBatch pad(List<long[]> rows, long padId) {
        return pad(rows, padId, 1);
    }

    /** As {@link #pad(List, long)}, the length rounded up to a multiple of {@code multiple}. */
    public static TokenBatch pad(List<long[]> rows, long padId, int multiple) {
        int seq = 0;
        for (long[] r : rows) seq = Math.max(seq, r.length);
        seq = (seq + multiple - 1) / multiple * multiple;
        int b = rows.size();
        long[] ids = new long[b * seq], mask = new long[b * seq], types = new long[b * seq];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            long[] r = rows.get(i);
            System.arraycopy(r, 0, ids, i * seq, r.length);
            java.util.Arrays.fill(mask, i * seq, i * seq + r.length, 1L);
        }
        return new TokenBatch(b, seq, ids, mask, types);
    }

    /** Number of real (unpadded) tokens in the batch. */
    public long realTokens() {
        long n = 0;
        for (long m : attentionMask) n += m;
        return n;
    }

    /** Number of real tokens in row {@code b}. */
    public int length(int b) {
        int n = 0;
        for (int t = 0; t < seqLen; t++) n += (int) attentionMask[b * seqLen + t];
        return n;
    }
}
