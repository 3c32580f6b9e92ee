package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.train.LayerRate;
import dev.attune.train.LayerRates;
import dev.attune.train.TrainingListener;

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
 * {@code layer_rates.jsonl}: one line per layer at each rate refresh ({@code step, layer, alpha, multiplier,
 * learning_rate}), flushed per refresh; the same records stay in memory for reports.
 */
public final class LayerRatesLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final List<String> kept = new ArrayList<>();
    private final List<LayerRate> history = new ArrayList<>();
    private BufferedWriter out;

    /**
     * Continues {@code file} after step {@code keepUpToStep} (0 for a new run): refreshes a resumed run will make
     * again are dropped. The file is written only once there is a refresh to record.
     */
    public LayerRatesLog(Path file, long keepUpToStep) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    try {
                        if (JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) <= keepUpToStep) kept.add(line);
                    } catch (IOException e) {
                        // a line cut by a kill: drop it
                    }
                }
                rewrite();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private void rewrite() throws IOException {
        if (out != null) out.close();
        RunFiles.writeAtomically(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Steps after the restored checkpoint will be redone, their refreshes too. */
    @Override
    public void onRollback(dev.attune.train.Rollback r) {
        if (out == null) return; // nothing written, nothing to undo
        try {
            kept.removeIf(line -> {
                try {
                    return JSON.readTree(line).path("step").asLong() > r.toStep();
                } catch (IOException e) {
                    return true;
                }
            });
            history.removeIf(rate -> rate.step() > r.toStep());
            rewrite();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onRefresh(LayerRates.Refresh r, double learningRate) {
        try {
            for (LayerRates.Refresh.Layer l : r.layers()) {
                LayerRate rate = new LayerRate(r.step(), l.layer(), l.alpha(), l.multiplier(), learningRate * l.multiplier());
                history.add(rate);
                ObjectNode o = JSON.createObjectNode();
                o.put("step", rate.step());
                o.put("layer", rate.layer());
                if (l.hasAlpha()) o.put("alpha", rate.alpha());
                o.put("multiplier", rate.multiplier());
                o.put("learning_rate", rate.learningRate());
                String line = JSON.writeValueAsString(o);
                if (out == null) out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                out.write(line);
                out.write('\n');
                kept.add(line);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every layer's rate at every refresh of this process, in order. */
    public List<LayerRate> history() {
        return List.copyOf(history);
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
