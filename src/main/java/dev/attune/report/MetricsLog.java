package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.train.EvalResult;
import dev.attune.train.Rollback;
import dev.attune.train.StepMetrics;
import dev.attune.train.TrainingControl;
import dev.attune.train.TrainingListener;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code metrics.jsonl}: one JSON object per logged step (step, epoch, loss, learning_rate, grad_norm, step_seconds,
 * tokens_per_second) and per evaluation (eval_loss, eval_accuracy, eval_f1), flushed line by line.
 * Appends, so a resumed run continues the same file.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private BufferedWriter out;
    private final int every;

    public MetricsLog(Path file, int loggingSteps) {
        this.file = file;
        this.every = loggingSteps;
        open();
    }

    private void open() {
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Drops the lines of the steps that will be redone, then records the rollback:
     * {@code {"step", "rollback", "reason", "restored_step", "learning_rate_scale"}}.
     */
    @Override
    public void onRollback(Rollback r) {
        try {
            out.close();
            truncateAfter(file, r.toStep());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        open();
        ObjectNode o = JSON.createObjectNode();
        o.put("step", r.toStep());
        o.put("rollback", r.count());
        o.put("diverged_step", r.atStep());
        o.put("reason", r.reason());
        o.put("learning_rate_scale", r.learningRateScale());
        write(o);
    }

    @Override
    public void onStep(StepMetrics m, TrainingControl control) {
        if (m.step() % every != 0 && m.step() != 1) return;
        ObjectNode o = JSON.createObjectNode();
        o.put("step", m.step());
        o.put("epoch", round(m.epoch()));
        o.put("loss", m.loss());
        o.put("learning_rate", m.learningRate());
        if (Double.isFinite(m.gradNorm())) o.put("grad_norm", m.gradNorm());
        o.put("step_seconds", round(m.stepSeconds()));
        o.put("tokens_per_second", Math.round(m.tokensPerSecond()));
        write(o);
    }

    @Override
    public void onEvaluate(EvalResult r, TrainingControl control) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", r.step());
        o.put("epoch", round(r.epoch()));
        o.put("eval_loss", r.loss());
        o.put("eval_accuracy", r.metrics().accuracy());
        o.put("eval_f1", r.metrics().f1Macro());
        o.put("eval_seconds", round(r.seconds()));
        write(o);
    }

    /** Writes an extra object (for example per-layer statistics) as one line. */
    public void write(ObjectNode o) {
        try {
            out.write(JSON.writeValueAsString(o));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Drops lines logged after {@code step}: a resumed run repeats the steps after its last checkpoint. */
    public static void truncateAfter(Path file, long step) throws IOException {
        if (!Files.exists(file)) return;
        java.util.List<String> keep = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                if (JSON.readTree(line).path("step").asLong(0) <= step) keep.add(line);
            } catch (IOException e) {
                // a line cut by the kill: drop it
            }
        }
        RunFiles.writeAtomically(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }

    private static double round(double d) {
        return Math.round(d * 10000) / 10000.0;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
