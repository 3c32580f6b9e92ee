package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.train.LayerRate;
import dev.attune.train.LayerRates;
import dev.attune.train.Rollback;
import dev.attune.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code layer_rates.jsonl}: one line per layer at each rate refresh ({@code step, layer, alpha, multiplier,
 * learning_rate}), flushed per refresh; the same records stay in memory for reports.
 */
public final class LayerRatesLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StepLog log;

    /**
     * Continues {@code file} after step {@code keepUpToStep} (0 for a new run): refreshes a resumed run will make
     * again are dropped. The file is written only once there is a refresh to record.
     */
    public LayerRatesLog(Path file, long keepUpToStep) {
        this.log = new StepLog(file, keepUpToStep, false);
    }

    /** Steps after the restored checkpoint will be redone, their refreshes too. */
    @Override
    public void onRollback(Rollback r) {
        log.cutAfter(r.toStep());
    }

    @Override
    public void onRefresh(LayerRates.Refresh r, double learningRate) {
        for (LayerRates.Refresh.Layer l : r.layers()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("step", r.step());
            o.put("layer", l.layer());
            if (l.hasAlpha()) o.put("alpha", l.alpha());
            if (Double.isFinite(l.deltaAlpha())) o.put("delta_alpha", l.deltaAlpha());
            if (Double.isFinite(l.relativeChange())) o.put("relative_change", l.relativeChange());
            o.put("multiplier", l.multiplier());
            o.put("learning_rate", learningRate * l.multiplier());
            log.append(o);
        }
    }

    /** Every layer's rate at every refresh of the run, in order (α NaN where no matrix of the layer was fitted). */
    public List<LayerRate> history() {
        return log.lines().stream().map(o -> new LayerRate(o.get("step").asLong(), o.get("layer").asText(),
                o.path("alpha").asDouble(Double.NaN), o.path("delta_alpha").asDouble(Double.NaN),
                o.path("relative_change").asDouble(Double.NaN), o.get("multiplier").asDouble(), o.get("learning_rate").asDouble())).toList();
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
