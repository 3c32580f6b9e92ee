package dev.attune.data;

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
