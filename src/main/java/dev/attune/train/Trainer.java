package dev.attune.train;

import dev.attune.AttuneException;
import dev.attune.config.RunConfig;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.AdamW;
import dev.attune.engine.Collective;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The training loop: set each layer's learning rate, forward/backward/update, log, evaluate, stop.
 * Everything else (logging, progress, early stopping, best model) is a {@link TrainingListener}.
 */
public final class Trainer {
    /**
     * How a run ended; {@code trainSeconds} adds up every segment of a resumed run. With other ranks, the gradient
     * all-reduce of this segment's steps: bytes this process all-reduced and seconds it spent in the step's collectives.
     */
    public record Result(long steps, double trainSeconds, int rollbacks, double bestLoss, long bestStep, EvalResult lastEval,
                         String stopReason, int probeForwardPasses, long segmentSteps, long allReduceBytes, double communicationSeconds) {}

    private final SequenceClassifier model;
    private final RunConfig.Trainer cfg;
    private final boolean bucketing;
    private final boolean bf16;
    private final LayerRates layerRates;
    private final List<TrainingListener> listeners;
    private final Path checkpointDir;
    private final int curvatureSteps;
    private Collective collective = Collective.SINGLE;

    /** @param curvatureSteps measure the curvature along the update every this many steps after warmup (0: never) */
    public Trainer(SequenceClassifier model, RunConfig.Trainer cfg, boolean bucketing, boolean bf16, LayerRates layerRates,
                   List<TrainingListener> listeners, Path checkpointDir, int curvatureSteps) {
        if (cfg.autoLearningRate()) throw new IllegalArgumentException("resolve learning_rate: auto before training");
        this.model = model;
        this.cfg = cfg;
        this.bucketing = bucketing;
        this.bf16 = bf16;
        this.layerRates = layerRates;
        this.listeners = List.copyOf(listeners);
        this.checkpointDir = checkpointDir;
        this.curvatureSteps = curvatureSteps;
    }

    /**
     * Trains data-parallel with the other ranks of {@code collective}, as DistributedDataParallel does: rank 0's
     * initial weights are broadcast, each global batch (the one-process run's) is split across ranks, gradients are
     * summed by their share, evaluation is sharded, per-layer rates are decided on rank 0 and broadcast. Only rank 0
     * writes checkpoints; every rank reads them on resume and rollback, so ranks on other machines need the run
     * folder on shared storage for those.
     */
    public Trainer distributed(Collective collective) {
        this.collective = collective;
        return this;
    }

    /** At most this many rollbacks; the next diverged step stops the run. */
    public static final int MAX_ROLLBACKS = 3;

    public Result fit(EncodedDataset train, EncodedDataset validation, List<String> freeze, boolean resume) {
        ParameterGroups pg = ParameterGroups.build(model.parameters(), freeze, cfg.weightDecay());
        try (AdamW optimizer = new AdamW(pg.groups(), cfg.learningRate(), cfg.adamEpsilon())) {
            return fit(train, validation, resume, pg, optimizer);
        }
    }

    private Result fit(EncodedDataset train, EncodedDataset validation, boolean resume, ParameterGroups pg, AdamW optimizer) {
        int perEpoch = train.batchesPerEpoch(cfg.batchSize());
        long total = cfg.maxSteps() > 0 ? cfg.maxSteps() : (long) cfg.epochs() * perEpoch;
        long warmup = (long) Math.ceil(total * cfg.warmupRatio());
        Checkpoint.State state = Checkpoint.State.start();
        boolean distributed = collective.worldSize() > 1;
        if (distributed) collective.broadcast(List.copyOf(model.parameters().values()));   // rank 0's initial weights
        boolean restore = resume && checkpointDir != null && collective.isRoot() && Checkpoint.exists(checkpointDir);
        if (distributed) restore = collective.broadcast(new double[]{restore ? 1 : 0})[0] == 1;
        if (restore) {
            state = Checkpoint.load(checkpointDir, model, optimizer);
        } else if (checkpointDir != null) {
            save(optimizer, state); // the state a rollback before the first evaluation returns to
        }
        TrainingControl control = new TrainingControl();
        TrainingPlan plan = new TrainingPlan(total, warmup, perEpoch, state.step(), pg.groups().size(), pg.trainableParameters());
        listeners.forEach(l -> l.onStart(plan));
        DivergenceGuard guard = new DivergenceGuard(model.labels().size());
        float[] classWeights = null;
        if (cfg.classWeights() == RunConfig.ClassWeights.BALANCED) {
            long[] y = new long[train.size()];
            for (int i = 0; i < y.length; i++) y[i] = train.label(i);
            classWeights = TrainStep.balancedWeights(y, model.labels().size());
        }
        TrainStep trainStep = new TrainStep(model, optimizer, bf16, cfg.maxGradNorm(), classWeights, cfg.activationCheckpointing())
                .distributed(collective);
        CurvatureProbe curvature = curvatureSteps > 0 && !distributed ? new CurvatureProbe(model, bf16) : null;
        List<String> layers = pg.layerOfGroup().stream().distinct().toList();

        long step = state.step();
        EvalResult last = null;
        long segmentSteps = 0, allReduceBytes = 0;
        double communicationSeconds = 0;
        steps:
        while (step < total && !control.shouldStop()) {
            int epoch = (int) (step / perEpoch);
            List<EncodedDataset.Batch> batches = train.forEpoch(epoch).epoch(cfg.batchSize(), bucketing, Seeds.dataOrder(cfg.seed(), epoch));
            for (int b = (int) (step % perEpoch); b < batches.size() && step < total && !control.shouldStop(); b++) {
                EncodedDataset.Batch batch = batches.get(b);
                step++;
                long start = System.nanoTime();

                // set the learning rate: global schedule times each layer's multiplier (halved after each rollback)
                double lr = cfg.learningRate() * state.learningRateScale() * Schedule.factor(cfg.lrScheduler(), step, total, warmup);
                LayerRates.Decision rates = layerRates(step, plan, layers);
                for (int g = 0; g < pg.groups().size(); g++) {
                    optimizer.setLearningRate(g, lr * rates.multipliers().getOrDefault(pg.layerOfGroup().get(g), 1.0));
                }
                if (rates.refresh() != null) for (TrainingListener l : listeners) l.onRefresh(rates.refresh(), lr);

                // forward, backward, update; a diverged step is never applied
                // dropout masks depend on (seed, step) only, so a resumed run draws the same ones
                var masks = Seeds.dropout(cfg.seed(), step);
                boolean probe = curvature != null && step > warmup && step % curvatureSteps == 0;
                if (probe) curvature.before();
                TrainStep.Guard stepGuard = step == state.lossSpikeStep() ? guard.forReplayOfLossSpike() : guard;
                EncodedDataset.Batch local = batch;
                double share = 1;
                if (distributed) {      // this rank's rows; a rank left without rows computes on one with weight 0
                    local = train.shard(batch, collective.rank(), collective.worldSize());
                    share = trainStep.share(local.labels(), batch.labels());
                    if (local.indices().length == 0) local = train.shard(batch, 0, batch.indices().length);
                }
                Collective.Traffic before = collective.traffic();
                TrainStep.Outcome outcome = trainStep.run(local.tokens(), local.labels(), share, Dropout.masks(masks), stepGuard);
                Collective.Traffic after = collective.traffic();
                segmentSteps++;
                allReduceBytes += after.bytesAllReduced() - before.bytesAllReduced();
                communicationSeconds += after.seconds() - before.seconds();
                if (probe && outcome.applied()) { // the loss along this update's direction (GeN); logged, not acted on
                    CurvatureProbe.Measurement c = curvature.after(step, lr, batch);
                    for (TrainingListener l : listeners) l.onCurvature(c);
                }
                double loss = outcome.loss(), gradNorm = outcome.gradNorm();
                String diverged = outcome.rejected();
                double seconds = (System.nanoTime() - start) / 1e9;

                // roll back to the last checkpoint, halve the rates and go on; stop after too many rollbacks
                if (diverged != null) {
                    if (checkpointDir == null || state.rollbacks() >= MAX_ROLLBACKS) {
                        throw new TrainingDivergedException("training diverged at step " + step + " (" + diverged + ") after "
                                + state.rollbacks() + " rollbacks with halved learning rates; lower trainer.learning_rate (now "
                                + cfg.learningRate() + ")", step);
                    }
                    long spikeStep = guard.lastWasLossSpike() ? step : 0;
                    state = state.next(state.step(), seconds).rolledBack(Checkpoint.load(checkpointDir, model, optimizer), spikeStep);
                    if (distributed) collective.sum(new double[1]);  // every rank has read it before rank 0 rewrites it
                    Rollback r = new Rollback(step, diverged, state.step(), state.rollbacks(), state.learningRateScale());
                    for (TrainingListener l : listeners) l.onRollback(r);
                    guard.reset();
                    step = state.step();
                    save(optimizer, state); // the rollback count survives a kill
                    continue steps;
                }
                state = state.next(step, seconds);

                // log
                long tokens = batch.tokens().realTokens();
                StepMetrics m = new StepMetrics(step, (double) step / perEpoch, loss, lr, gradNorm, seconds, tokens / seconds, tokens);
                for (TrainingListener l : listeners) l.onStep(m, control);

                // evaluate
                if (validation != null && (step % cfg.evalSteps() == 0 || step == total)) {
                    long evalStart = System.nanoTime();
                    ClassificationMetrics metrics = Evaluator.evaluate(model, validation, cfg.evalBatchSize(), bf16, collective);
                    state = state.evaluated(metrics.loss());
                    last = new EvalResult(step, (double) step / perEpoch, metrics, (System.nanoTime() - evalStart) / 1e9,
                            state.evalsWithoutImprovement() == 0, state.evalsWithoutImprovement());
                    for (TrainingListener l : listeners) l.onEvaluate(last, control);
                }
                if (control.takeCheckpointRequest()) save(optimizer, state);
                if (distributed && collective.sum(new double[]{control.shouldStop() ? 1 : 0})[0] > 0 && !control.shouldStop()) {
                    control.stop("stopped by another rank");    // every rank leaves the loop at the same step
                }
            }
        }
        final long done = step;
        listeners.forEach(l -> l.onEnd(done, control));
        boolean evaluated = state.bestLoss() < Double.POSITIVE_INFINITY;
        return new Result(step, state.trainSeconds(), state.rollbacks(), state.bestLoss(), evaluated ? state.bestStep() : -1, last,
                control.shouldStop() ? control.stopReason() : "completed", curvature == null ? 0 : curvature.forwardPasses(),
                segmentSteps, allReduceBytes, communicationSeconds);
    }

    /** The per-layer multipliers: decided on rank 0 and broadcast in a fixed layer order when there are other ranks. */
    private LayerRates.Decision layerRates(long step, TrainingPlan plan, List<String> layers) {
        if (collective.worldSize() == 1 || layerRates == LayerRates.UNIFORM) return layerRates.multipliers(step, plan);
        LayerRates.Decision d = collective.isRoot() ? layerRates.multipliers(step, plan) : null;
        double[] m = new double[layers.size()];
        for (int i = 0; i < m.length; i++) m[i] = d == null ? 0 : d.multipliers().getOrDefault(layers.get(i), 1.0);
        m = collective.broadcast(m);
        if (d != null) return d;
        java.util.Map<String, Double> out = new java.util.HashMap<>();
        for (int i = 0; i < m.length; i++) out.put(layers.get(i), m[i]);
        return new LayerRates.Decision(out, null);
    }

    private void save(AdamW optimizer, Checkpoint.State state) {
        if (checkpointDir == null || !collective.isRoot()) return;
        try {
            Checkpoint.save(checkpointDir, model, optimizer, state);
        } catch (IOException e) {
            throw new AttuneException(checkpointDir + ": cannot write checkpoint (" + e.getMessage() + ")");
        }
    }
}
