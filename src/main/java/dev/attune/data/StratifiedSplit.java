package dev.attune.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Train/validation/test splits that keep every group in proportion: each group is shuffled and cut on its own
 * (round(n · train) rows to train, round(n · validation) to validation, the rest to test), so a rare group such as
 * SpamAssassin's hard ham appears in every split at its share.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {}

    /** {@code train}, {@code validation} and {@code test} lists, groups in the order given, shuffled within each group. */
    public static <T> Map<String, List<T>> of(Map<String, List<T>> byGroup, double train, double validation, Random random) {
        Map<String, List<T>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "validation", "test")) splits.put(s, new ArrayList<>());
        for (List<T> group : byGroup.values()) {
            List<T> rows = new ArrayList<>(group);
            Collections.shuffle(rows, random);
            int n = rows.size(), nTrain = (int) Math.round(n * train), nVal = (int) Math.round(n * validation);
            splits.get("train").addAll(rows.subList(0, nTrain));
            splits.get("validation").addAll(rows.subList(nTrain, nTrain + nVal));
            splits.get("test").addAll(rows.subList(nTrain + nVal, n));
        }
        return splits;
    }
}
