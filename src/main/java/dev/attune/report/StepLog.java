package dev.attune.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONL file of objects stamped with a training {@code step}, flushed line by line and also held in memory. A run
 * that resumes or rolls back to a step cuts the lines after it, since those steps will be logged again. The file is
 * created with the first line, or at once when asked.
 */
final class StepLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final List<ObjectNode> lines = new ArrayList<>();
    private BufferedWriter out;

    /**
     * Continues {@code file} after step {@code keepUpToStep} (0 for a new run); a line cut by a kill is dropped.
     * With {@code createNow} the file exists from the start even if nothing is logged.
     */
    StepLog(Path file, long keepUpToStep, boolean createNow) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    try {
                        JsonNode n = JSON.readTree(line);
                        if (n instanceof ObjectNode o && step(o) <= keepUpToStep) lines.add(o);
                    } catch (IOException e) {
                        // a line cut by a kill
                    }
                }
            }
            if (createNow || Files.exists(file)) rewrite();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static long step(ObjectNode o) {
        return o.path("step").asLong(0);
    }

    private void rewrite() throws IOException {
        if (out != null) out.close();
        StringBuilder sb = new StringBuilder();
        for (ObjectNode o : lines) sb.append(JSON.writeValueAsString(o)).append('\n');
        RunFiles.writeAtomically(file, sb.toString());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Appends one object as a line, flushed. */
    void append(ObjectNode o) {
        try {
            if (out == null) out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            out.write(JSON.writeValueAsString(o));
            out.write('\n');
            out.flush();
            lines.add(o);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Drops the lines after {@code step}, in memory and on disk; nothing to do when nothing was written. */
    void cutAfter(long step) {
        if (out == null) return;
        try {
            lines.removeIf(o -> step(o) > step);
            rewrite();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every line logged, in order. */
    List<ObjectNode> lines() {
        return lines;
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
