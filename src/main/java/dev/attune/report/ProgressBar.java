package dev.attune.report;

import dev.attune.train.EvalResult;
import dev.attune.train.StepMetrics;
import dev.attune.train.TrainingControl;
import dev.attune.train.TrainingListener;
import dev.attune.train.TrainingPlan;

import java.io.PrintStream;

/**
 * Progress on standard error: a redrawn bar with loss and ETA on a terminal; otherwise a plain line per
 * evaluation and every 10% of the steps, so logs stay readable.
 */
public final class ProgressBar implements TrainingListener {
    private final PrintStream err;
    private final boolean terminal;
    private final String label;
    private long total;
    private long start;
    private long firstStep;
    private double smoothLoss = Double.NaN;
    private String lastEval = "";

    public ProgressBar(String label) {
        this(label, System.err, System.console() != null);
    }

    ProgressBar(String label, PrintStream err, boolean terminal) {
        this.label = label;
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void onStart(TrainingPlan plan) {
        total = plan.totalSteps();
        firstStep = plan.startStep();
        start = System.nanoTime();
        err.printf("%s: %d steps (%d per epoch, %d warmup), %,d trainable parameters in %d groups%s%n", label, total,
                plan.batchesPerEpoch(), plan.warmupSteps(), plan.trainableParameters(), plan.parameterGroups(),
                plan.startStep() > 0 ? ", resuming at step " + plan.startStep() : "");
    }

    @Override
    public void onStep(StepMetrics m, TrainingControl control) {
        smoothLoss = Double.isNaN(smoothLoss) ? m.loss() : 0.9 * smoothLoss + 0.1 * m.loss();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long done = m.step() - firstStep;
        double eta = done == 0 ? 0 : elapsed / done * (total - m.step());
        if (terminal) {
            int width = 30, filled = (int) (width * m.step() / Math.max(1, total));
            err.printf("\r%s [%s%s] %d/%d loss %.4f %.2fs/step eta %s%s   ", label, "#".repeat(filled), ".".repeat(width - filled),
                    m.step(), total, smoothLoss, m.stepSeconds(), clock(eta), lastEval);
            if (m.step() == total) err.println();
        } else if (m.step() % Math.max(1, total / 10) == 0 || m.step() == total) {
            err.printf("%s step %d/%d loss %.4f %.2fs/step %.0f tokens/s eta %s%n", label, m.step(), total, smoothLoss,
                    m.stepSeconds(), m.tokensPerSecond(), clock(eta));
        }
    }

    @Override
    public void onEvaluate(EvalResult r, TrainingControl control) {
        lastEval = String.format(" | eval loss %.4f acc %.4f", r.loss(), r.metrics().accuracy());
        if (!terminal) {
            err.printf("%s step %d eval loss %.4f accuracy %.4f f1 %.4f (%.1fs)%n", label, r.step(), r.loss(),
                    r.metrics().accuracy(), r.metrics().f1Macro(), r.seconds());
        }
    }

    @Override
    public void onRollback(dev.attune.train.Rollback r) {
        smoothLoss = Double.NaN;
        err.printf("%s%s: step %d diverged (%s); rolled back to step %d, learning rates x%.4g (rollback %d of %d)%n",
                terminal ? "\n" : "", label, r.atStep(), r.reason(), r.toStep(), r.learningRateScale(), r.count(),
                dev.attune.train.Trainer.MAX_ROLLBACKS);
    }

    @Override
    public void onEnd(long steps, TrainingControl control) {
        if (terminal) err.println();
        if (control.shouldStop()) err.println(label + ": " + control.stopReason());
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
