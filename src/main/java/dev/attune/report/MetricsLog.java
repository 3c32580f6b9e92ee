package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.train.EvalResult;
import dev.attune.train.LayerRates;
import dev.attune.train.Rollback;
import dev.attune.train.StepMetrics;
import dev.attune.train.TrainingControl;
import dev.attune.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON object per logged step (step, epoch, loss, learning_rate, grad_norm, step_seconds,
 * tokens_per_second) and per evaluation (eval_loss, eval_accuracy, eval_f1), flushed line by line.
 * A resumed run continues the same file; the lines also stay in memory, as the run's {@link Curves}.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StepLog log;
    private final int every;

    /**
     * Continues {@code file} after step {@code keepUpToStep}: lines a resumed run will log again, or that a run started
     * afresh (0) never logged, are dropped; the lines kept are the start of {@link #curves()}.
     */
    public MetricsLog(Path file, int loggingSteps, long keepUpToStep) {
        this.log = new StepLog(file, keepUpToStep, true);
        this.every = loggingSteps;
    }

    /** The training and validation loss curves of everything logged, in memory. */
    public Curves curves() {
        List<double[]> train = new ArrayList<>(), eval = new ArrayList<>();
        for (ObjectNode n : log.lines()) {
            if (n.has("loss")) train.add(new double[] {n.get("step").asDouble(), n.get("loss").asDouble()});
            if (n.has("eval_loss")) eval.add(new double[] {n.get("step").asDouble(), n.get("eval_loss").asDouble()});
        }
        return new Curves(train, eval);
    }

    /** α statistics of a rate refresh: {@code {"step", "alpha_mean", "alpha_std", "alpha_matrices", "analysis_seconds"}}. */
    @Override
    public void onRefresh(LayerRates.Refresh r, double learningRate) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", r.step());
        o.put("alpha_mean", r.alphaMean());
        o.put("alpha_std", r.alphaStd());
        o.put("alpha_matrices", r.alphaMatrices());
        o.put("analysis_seconds", r.analysisSeconds());
        write(o);
    }

    /**
     * The curvature along an update: {@code {"step", "curvature_losses": [l0, l1, l2], "curvature_multiple",
     * "curvature_rate", "learning_rate"}} (the multiple and rate are null when the parabola has no minimum).
     */
    @Override
    public void onCurvature(dev.attune.train.CurvatureProbe.Measurement c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", c.step());
        o.putArray("curvature_losses").add(c.loss0()).add(c.loss1()).add(c.loss2());
        if (Double.isFinite(c.optimalMultiple())) {
            o.put("curvature_multiple", c.optimalMultiple());
            o.put("curvature_rate", c.suggestedRate());
        } else {
            o.putNull("curvature_multiple");
            o.putNull("curvature_rate");
        }
        o.put("learning_rate", c.learningRate());
        write(o);
    }

    /**
     * Drops the lines of the steps that will be redone, then records the rollback:
     * {@code {"step", "rollback", "reason", "restored_step", "learning_rate_scale"}}.
     */
    @Override
    public void onRollback(Rollback r) {
        log.cutAfter(r.toStep());
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

    private void write(ObjectNode o) {
        log.append(o);
    }

    private static double round(double d) {
        return Math.round(d * 10000) / 10000.0;
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
