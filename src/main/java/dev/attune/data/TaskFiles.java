package dev.attune.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a prepared task: one JSONL file per split ({@code train.jsonl}, ...), one object a line. */
final class TaskFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskFiles() {}

    static ObjectNode row(String text, String label, String group) {
        ObjectNode row = JSON.createObjectNode();
        row.put("text", text);
        row.put("label", label);
        if (group != null) row.put("group", group);
        return row;
    }

    /** Writes every split and returns its row count, in the order given. */
    static Map<String, Integer> write(Path outDir, Map<String, List<ObjectNode>> splits) throws IOException {
        Files.createDirectories(outDir);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (var e : splits.entrySet()) {
            try (BufferedWriter w = Files.newBufferedWriter(outDir.resolve(e.getKey() + ".jsonl"), StandardCharsets.UTF_8)) {
                for (ObjectNode row : e.getValue()) {
                    w.write(JSON.writeValueAsString(row));
                    w.write('\n');
                }
            }
            counts.put(e.getKey(), e.getValue().size());
        }
        return counts;
    }
}
