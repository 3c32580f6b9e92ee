package dev.attune.data;

import dev.attune.AttuneException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A dataset tokenized once: each example's token ids (truncated, unpadded) and label id. Batches are padded to
 * their longest row; with length bucketing, examples of similar length share a batch, so less padding is computed.
 */
public final class EncodedDataset {
    /** A batch of examples: padded tokens, label ids, and the examples' positions in the dataset. */
    public record Batch(TokenBatch tokens, long[] labels, int[] indices) {}

    /** How an augmented training set re-draws its texts every epoch. */
    private record Variants(Augmentation augmentation, long seed, Tokenizer tokenizer, int maxLength) {}

    private final Dataset source;
    private final long[][] ids;
    private final long[] labels;
    private final long padId;
    private final Variants variants;
    private final int padMultiple;

    private EncodedDataset(Dataset source, long[][] ids, long[] labels, long padId, Variants variants) {
        this(source, ids, labels, padId, variants, 1);
    }

    private EncodedDataset(Dataset source, long[][] ids, long[] labels, long padId, Variants variants, int padMultiple) {
        this.source = source;
        this.ids = ids;
        this.labels = labels;
        this.padId = padId;
        this.variants = variants;
        this.padMultiple = padMultiple;
    }

    /**
     * The same examples, each batch padded to a multiple of {@code multiple} tokens: a server then sees a few batch
     * shapes instead of one per length, and the native kernels' caches, which keep what they built per shape, stop
     * growing early (the model's outputs do not change: padding is masked).
     */
    public EncodedDataset paddedToMultipleOf(int multiple) {
        if (multiple < 1) throw new IllegalArgumentException("padding multiple " + multiple);
        return new EncodedDataset(source, ids, labels, padId, variants, multiple);
    }

    /**
     * Tokenizes {@code data}; labels map through {@code labelIds} (the training labels). A label that training never
     * saw is an error naming the file and line.
     */
    public static EncodedDataset encode(Dataset data, Tokenizer tokenizer, List<String> labelIds, int maxLength) {
        long[] labels = new long[data.size()];
        for (int i = 0; i < data.size(); i++) {
            int id = labelIds.indexOf(data.examples().get(i).label());
            if (id < 0) {
                Example e = data.examples().get(i);
                throw new AttuneException(data.source() + ":" + e.line() + ": label '" + e.label()
                        + "' does not occur in the training data (labels: " + labelIds + ")");
            }
            labels[i] = id;
        }
        List<String> texts = data.examples().stream().map(Example::text).toList();
        return new EncodedDataset(data, tokenizer.encodeEach(texts, maxLength), labels, tokenizer.padId(), null);
    }

    /**
     * This dataset with its texts augmented afresh in every epoch ({@link #forEpoch}), the draws coming from
     * {@code seed} alone, so a rerun or a resumed run sees the same texts.
     */
    public EncodedDataset augmented(Augmentation augmentation, long seed, Tokenizer tokenizer, int maxLength) {
        if (source == null) throw new IllegalStateException("only a labelled dataset can be augmented");
        if (!augmentation.enabled()) return this;
        return new EncodedDataset(source, ids, labels, padId, new Variants(augmentation, seed, tokenizer, maxLength));
    }

    /** The dataset epoch {@code epoch} trains on: itself, or its augmented texts of that epoch. */
    public EncodedDataset forEpoch(int epoch) {
        if (variants == null) return this;
        java.util.SplittableRandom random = dev.attune.train.Seeds.augmentation(variants.seed(), epoch);
        List<String> texts = new ArrayList<>(ids.length);
        for (Example e : source.examples()) texts.add(variants.augmentation().apply(e.text(), random.split()));
        return new EncodedDataset(source, variants.tokenizer().encodeEach(texts, variants.maxLength()), labels, padId, null);
    }

    /** Texts without labels, for prediction: every label id is -1 and {@link #source()} is null. */
    public static EncodedDataset unlabelled(List<String> texts, Tokenizer tokenizer, int maxLength) {
        return unlabelled(tokenizer.encodeEach(texts, maxLength), tokenizer.padId());
    }

    /** Already tokenized texts (each with its special tokens), without labels. */
    public static EncodedDataset unlabelled(long[][] ids, long padId) {
        long[] labels = new long[ids.length];
        java.util.Arrays.fill(labels, -1);
        return new EncodedDataset(null, ids, labels, padId, null);
    }

    public Dataset source() {
        return source;
    }

    public int size() {
        return ids.length;
    }

    public long label(int i) {
        return labels[i];
    }

    /** Every example's label id, in dataset order (-1 for unlabelled texts). */
    public long[] labels() {
        return labels.clone();
    }

    public int length(int i) {
        return ids[i].length;
    }

    /** Total tokens (real, unpadded) in the dataset. */
    public long tokens() {
        long n = 0;
        for (long[] r : ids) n += r.length;
        return n;
    }

    /**
     * One epoch's batches in a random order drawn from {@code random}. With {@code bucketing}, shuffled examples are
     * grouped in windows of 50 batches, sorted by length within a window, cut into batches, and the batches shuffled.
     */
    public List<Batch> epoch(int batchSize, boolean bucketing, Random random) {
        List<Integer> order = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) order.add(i);
        Collections.shuffle(order, random);
        List<List<Integer>> groups = new ArrayList<>();
        if (bucketing) {
            int window = batchSize * 50;
            for (int w = 0; w < order.size(); w += window) {
                List<Integer> chunk = new ArrayList<>(order.subList(w, Math.min(order.size(), w + window)));
                chunk.sort(Comparator.comparingInt(i -> ids[i].length));
                for (int b = 0; b < chunk.size(); b += batchSize) groups.add(chunk.subList(b, Math.min(chunk.size(), b + batchSize)));
            }
            Collections.shuffle(groups, random);
        } else {
            for (int b = 0; b < order.size(); b += batchSize) groups.add(order.subList(b, Math.min(order.size(), b + batchSize)));
        }
        List<Batch> out = new ArrayList<>(groups.size());
        for (List<Integer> g : groups) out.add(batch(g));
        return out;
    }

    /** Batches in dataset order sorted by length (for evaluation: least padding, same result in any order). */
    public List<Batch> inOrder(int batchSize) {
        List<Integer> order = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) order.add(i);
        order.sort(Comparator.comparingInt(i -> ids[i].length));
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < order.size(); b += batchSize) out.add(batch(order.subList(b, Math.min(order.size(), b + batchSize))));
        return out;
    }

    /**
     * Rank {@code rank}'s part of a batch of this dataset when {@code world} processes share it: a contiguous run of
     * its rows (sizes differ by at most one), padded to its own longest row.
     */
    public Batch shard(Batch batch, int rank, int world) {
        int n = batch.indices().length;
        int from = (int) ((long) n * rank / world), to = (int) ((long) n * (rank + 1) / world);
        List<Integer> idx = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) idx.add(batch.indices()[k]);
        return batch(idx);
    }

    public int batchesPerEpoch(int batchSize) {
        return (ids.length + batchSize - 1) / batchSize;
    }

    private Batch batch(List<Integer> idx) {
        List<long[]> rows = new ArrayList<>(idx.size());
        long[] y = new long[idx.size()];
        int[] ix = new int[idx.size()];
        for (int k = 0; k < idx.size(); k++) {
            rows.add(ids[idx.get(k)]);
            y[k] = labels[idx.get(k)];
            ix[k] = idx.get(k);
        }
        return new Batch(TokenBatch.pad(rows, padId, padMultiple), y, ix);
    }
}
