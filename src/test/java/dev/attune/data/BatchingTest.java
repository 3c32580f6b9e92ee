package dev.attune.data;

import dev.attune.model.ModelCatalog;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splitting, padding and epoch order: the pure data plumbing, with known answers. */
class BatchingTest {

    @Test
    void stratifiedSplitKeepsEveryGroupInProportionAndUsesEveryRowOnce() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (var g : Map.of("common", 200, "rare", 20, "tiny", 3).entrySet()) {
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < g.getValue(); i++) rows.add(g.getKey() + "-" + i);
            groups.put(g.getKey(), rows);
        }
        var splits = StratifiedSplit.of(groups, 0.70, 0.15, new Random(1));
        for (var g : groups.entrySet()) {
            int n = g.getValue().size();
            long train = splits.get("train").stream().filter(r -> r.startsWith(g.getKey() + "-")).count();
            long val = splits.get("validation").stream().filter(r -> r.startsWith(g.getKey() + "-")).count();
            assertEquals(Math.round(n * 0.70), train, g.getKey());
            assertEquals(Math.round(n * 0.15), val, g.getKey());
        }
        List<String> all = new ArrayList<>();
        splits.values().forEach(all::addAll);
        assertEquals(223, all.size());
        assertEquals(223, new HashSet<>(all).size(), "no row in two splits");
        assertEquals(splits, StratifiedSplit.of(groups, 0.70, 0.15, new Random(1)), "the same seed gives the same split");
    }

    @Test
    void padsRowsToTheLongestWithAMaskOfRealTokens() {
        TokenBatch b = TokenBatch.pad(List.of(new long[] {101, 7, 102}, new long[] {101, 102}), 0);
        assertEquals(2, b.batchSize());
        assertEquals(3, b.seqLen());
        assertArrayEquals(new long[] {101, 7, 102, 101, 102, 0}, b.inputIds());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, b.attentionMask());
        assertArrayEquals(new long[6], b.tokenTypeIds());
        assertEquals(5, b.realTokens());
        assertEquals(2, b.length(1));
    }

    @Test
    void anEpochVisitsEveryExampleOnceAndBucketingCutsPadding() {
        List<Example> examples = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) examples.add(new Example("word ".repeat(1 + r.nextInt(60)), i % 2 == 0 ? "a" : "b", null, i + 1));
        EncodedDataset data;
        try (Tokenizer t = Tokenizer.load(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"))) {
            data = EncodedDataset.encode(new Dataset(Path.of("synthetic.jsonl"), examples), t, List.of("a", "b"), 128);
        }
        long padded = 0, paddedBucketed = 0;
        for (boolean bucketing : new boolean[] {false, true}) {
            var batches = data.epoch(16, bucketing, new Random(5));
            assertEquals(13, batches.size(), "ceil(200 / 16)");
            List<Integer> seen = new ArrayList<>();
            for (var b : batches) {
                assertTrue(b.indices().length <= 16);
                for (int k = 0; k < b.indices().length; k++) {
                    seen.add(b.indices()[k]);
                    assertEquals(data.label(b.indices()[k]), b.labels()[k], "labels travel with their rows");
                }
                long cells = (long) b.tokens().batchSize() * b.tokens().seqLen();
                if (bucketing) paddedBucketed += cells - b.tokens().realTokens();
                else padded += cells - b.tokens().realTokens();
            }
            Collections.sort(seen);
            for (int i = 0; i < 200; i++) assertEquals(i, seen.get(i));
            assertEquals(indices(batches), indices(data.epoch(16, bucketing, new Random(5))), "the same seed gives the same order");
            assertNotEquals(indices(batches), indices(data.epoch(16, bucketing, new Random(6))), "another seed, another order");
        }
        assertTrue(paddedBucketed * 4 < padded, "bucketing pads " + paddedBucketed + " tokens, plain batches " + padded);
    }

    private static List<Integer> indices(List<EncodedDataset.Batch> batches) {
        List<Integer> out = new ArrayList<>();
        for (var b : batches) for (int i : b.indices()) out.add(i);
        return out;
    }
}
