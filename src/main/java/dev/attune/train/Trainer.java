package dev.attune.train;

import dev.attune.AttuneException;
import dev.attune.config.RunConfig;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.AdamW;
import dev.attune.engine.Autocast;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop: set each layer's learning rate, forward/backward/update, log, evaluate, stop.
 * Everything else (logging, progress, early stopping, best model) is a {@link TrainingListener}.
 */
public final class Trainer {
    /** How a run ended. */
    public record Result(long steps, double trainSeconds, EvalResult lastEval, String stopReason) {}

    private final SequenceClassifier model;
    private final RunConfig.Trainer cfg;
    private final boolean bucketing;
    private final boolean bf16;
    private final LayerRates layerRates;
    private final List<TrainingListener> listeners;
    private final Path checkpointDir;

    public Trainer(SequenceClassifier model, RunConfig.Trainer cfg, boolean bucketing, boolean bf16, LayerRates layerRates,
                   List<TrainingListener> listeners, Path checkpointDir) {
        if (cfg.autoLearningRate()) throw new IllegalArgumentException("resolve learning_rate: auto before training");
        this.model = model;
        this.cfg = cfg;
        this.bucketing = bucketing;
        this.bf16 = bf16;
        this.layerRates = layerRates;
        this.listeners = List.copyOf(listeners);
        this.checkpointDir = checkpointDir;
    }

    public Result fit(EncodedDataset train, EncodedDataset validation, List<String> freeze, boolean resume) {
        ParameterGroups pg = ParameterGroups.build(model.parameters(), freeze, cfg.weightDecay());
        AdamW optimizer = new AdamW(pg.groups(), cfg.learningRate(), cfg.adamEpsilon());
        int perEpoch = train.batchesPerEpoch(cfg.batchSize());
        long total = cfg.maxSteps() > 0 ? cfg.maxSteps() : (long) cfg.epochs() * perEpoch;
        long warmup = (long) Math.ceil(total * cfg.warmupRatio());
        Checkpoint.State state = new Checkpoint.State(0, Double.POSITIVE_INFINITY, 0, 0);
        if (resume && checkpointDir != null && Checkpoint.exists(checkpointDir)) {
            state = Checkpoint.load(checkpointDir, model, optimizer);
        }
        TrainingControl control = new TrainingControl();
        TrainingPlan plan = new TrainingPlan(total, warmup, perEpoch, state.step(), pg.groups().size(), pg.trainableParameters(),
                state.bestLoss(), state.bestStep(), state.evalsWithoutImprovement());
        listeners.forEach(l -> l.onStart(plan));

        long step = state.step();
        double trainSeconds = 0;
        EvalResult last = null;
        while (step < total && !control.shouldStop()) {
            int epoch = (int) (step / perEpoch);
            List<EncodedDataset.Batch> batches = train.epoch(cfg.batchSize(), bucketing, new Random(cfg.seed() * 1_000_003L + epoch));
            for (int b = (int) (step % perEpoch); b < batches.size() && step < total && !control.shouldStop(); b++) {
                EncodedDataset.Batch batch = batches.get(b);
                step++;
                long start = System.nanoTime();

                // set the learning rate: global schedule times each layer's multiplier
                double lr = cfg.learningRate() * Schedule.factor(cfg.lrScheduler(), step, total, warmup);
                Map<String, Double> multipliers = layerRates.multipliers(step, total);
                for (int g = 0; g < pg.groups().size(); g++) {
                    optimizer.setLearningRate(g, lr * multipliers.getOrDefault(pg.layerOfGroup().get(g), 1.0));
                }

                // forward, backward, update
                // dropout masks depend on (seed, step) only, so a resumed run draws the same ones
                java.util.SplittableRandom masks = new java.util.SplittableRandom(cfg.seed() * 1_000_003L + step);
                Dropout dropout = (x, p) -> x.dropout(p, masks);
                double loss;
                double gradNorm;
                try (Scope scope = Scope.open()) {
                    Tensor lossT;
                    try (Autocast cast = Autocast.bf16(bf16)) {
                        Tensor logits = model.forward(batch.tokens(), dropout);                             // (B, C)
                        lossT = logits.crossEntropy(Tensor.fromLongs(batch.labels(), batch.labels().length));
                    }
                    lossT.backward();
                    loss = lossT.item();
                    gradNorm = cfg.maxGradNorm() > 0 ? optimizer.clipGradNorm(cfg.maxGradNorm()) : Double.NaN;
                    optimizer.step();
                    optimizer.zeroGrad();
                }
                if (!Double.isFinite(loss)) throw new AttuneException("training diverged at step " + step + " (loss " + loss + "); lower trainer.learning_rate");
                double seconds = (System.nanoTime() - start) / 1e9;
                trainSeconds += seconds;

                // log
                long tokens = batch.tokens().realTokens();
                StepMetrics m = new StepMetrics(step, (double) step / perEpoch, loss, lr, gradNorm, seconds, tokens / seconds, tokens);
                for (TrainingListener l : listeners) l.onStep(m, control);

                // evaluate
                if (validation != null && (step % cfg.evalSteps() == 0 || step == total)) {
                    long evalStart = System.nanoTime();
                    ClassificationMetrics metrics = Evaluator.evaluate(model, validation, cfg.evalBatchSize(), bf16);
                    last = new EvalResult(step, (double) step / perEpoch, metrics, (System.nanoTime() - evalStart) / 1e9);
                    for (TrainingListener l : listeners) l.onEvaluate(last, control);
                    if (last.loss() < state.bestLoss()) state = new Checkpoint.State(step, last.loss(), step, 0);
                    else state = new Checkpoint.State(step, state.bestLoss(), state.bestStep(), state.evalsWithoutImprovement() + 1);
                } else {
                    state = new Checkpoint.State(step, state.bestLoss(), state.bestStep(), state.evalsWithoutImprovement());
                }
                if (control.takeCheckpointRequest() && checkpointDir != null) {
                    try {
                        Checkpoint.save(checkpointDir, model, optimizer, state);
                    } catch (IOException e) {
                        throw new AttuneException(checkpointDir + ": cannot write checkpoint (" + e.getMessage() + ")");
                    }
                }
            }
        }
        final long done = step;
        listeners.forEach(l -> l.onEnd(done, control));
        return new Result(step, trainSeconds, last, control.shouldStop() ? control.stopReason() : "completed");
    }
}
