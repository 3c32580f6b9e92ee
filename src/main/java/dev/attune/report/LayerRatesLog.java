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
    private final BufferedWriter out;
    private final List<LayerRate> history = new ArrayList<>();

    public LayerRatesLog(Path file) {
        this.file = file;
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
                out.write(JSON.writeValueAsString(o));
                out.write('\n');
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
        out.close();
    }
}
