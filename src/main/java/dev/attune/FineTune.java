package dev.attune;

import dev.attune.config.RunConfig;
import dev.attune.data.Augmentation;
import dev.attune.data.Dataset;
import dev.attune.data.DatasetReader;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.Engine;
import dev.attune.model.HeadConfig;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import dev.attune.model.WeightMatrices;
import dev.attune.spectral.SpectralAnalyzer;
import dev.attune.report.Curves;
import dev.attune.report.LayerRatesLog;
import dev.attune.report.MetricsLog;
import dev.attune.report.ProgressBar;
import dev.attune.report.RunFiles;
import dev.attune.report.RunFolder;
import dev.attune.train.BestModelSaver;
import dev.attune.train.Checkpoint;
import dev.attune.train.ClassificationMetrics;
import dev.attune.train.EarlyStopping;
import dev.attune.train.Evaluation;
import dev.attune.train.Evaluator;
import dev.attune.train.OperatingPoint;
import dev.attune.report.CalibrationFile;
import dev.attune.train.LayerRate;
import dev.attune.train.LayerRates;

import dev.attune.train.SpectralLayerRates;
import dev.attune.train.StepMetrics;
import dev.attune.train.Trainer;
import dev.attune.train.TrainingControl;
import dev.attune.train.TrainingDivergedException;
import dev.attune.train.TrainingListener;
import dev.attune.train.RateSearch;
import dev.attune.train.WeightSnapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Fine-tunes a pretrained model for text classification as a config describes, and writes a self-describing run
 * folder: config.yaml, metrics.jsonl, summary.json, provenance.json, checkpoint/ and model/ (Hugging Face layout).
 */
public final class FineTune {
    private FineTune() {}

    public static RunSummary run(RunConfig config) {
        return run(config, false, "train");
    }

    /**
     * Runs as configured: per-layer rates from spectra when {@code automation.enabled}, else one rate for all.
     *
     * @param resume continue the unfinished run in {@code output.dir} from its last checkpoint
     * @param label  shown in progress lines
     */
    public static RunSummary run(RunConfig config, boolean resume, String label) {
        return run(config, resume, label, dev.attune.engine.Collective.SINGLE);
    }

    /**
     * As {@link #run(RunConfig, boolean, String)}, as one rank of a data-parallel run over {@code collective}: every
     * rank trains its share of each batch; rank 0 alone writes the run folder, and after training it alone scores
     * the test sets and writes the summary, which it returns (the other ranks return null).
     */
    public static RunSummary run(RunConfig config, boolean resume, String label, dev.attune.engine.Collective collective) {
        Engine.init();
        boolean root = collective.isRoot(), distributed = collective.worldSize() > 1;
        if (distributed && config.trainer().autoLearningRate()) {
            throw new AttuneException("trainer.learning_rate: auto runs in one process only; choose the rate with a one-process run, "
                    + "then give it to the distributed one");
        }
        RunFolder folder = new RunFolder(Path.of(config.output().dir()));
        Path runDir = folder.dir();
        boolean resuming = root && folder.open(config, resume);
        if (distributed) resuming = collective.broadcast(new double[]{resuming ? 1 : 0})[0] == 1;
        if (resuming && root) config = folder.resolveForResume(config);
        // what choosing the rate cost beyond the run's own steps: recorded by the segment that chose it
        double searchCostSteps = resuming ? folder.searchCostSteps() : 0;

        // data: the labels are those of the training set, sorted
        var d = config.data();
        Dataset mainTrain = DatasetReader.read(Path.of(d.train()), d.textField(), d.labelField());
        List<Dataset> extraTrain = new ArrayList<>();
        for (String file : d.extraTrain()) extraTrain.add(DatasetReader.read(Path.of(file), d.textField(), d.labelField()));
        List<Dataset> copies = new ArrayList<>();
        for (int k = 0; k < d.extraTrainCopies(); k++) copies.addAll(extraTrain); // a small supplement weighs more
        Dataset train = mainTrain.with(copies);
        Dataset validation = d.validation() == null ? null : DatasetReader.read(Path.of(d.validation()), d.textField(), d.labelField());
        Dataset test = d.test() == null ? null : DatasetReader.read(Path.of(d.test()), d.textField(), d.labelField());
        List<String> labels = new ArrayList<>(new TreeSet<>(train.labelCounts().keySet()));
        if (labels.size() < 2) throw new AttuneException(d.train() + ": training data has only one label " + labels);
        positiveIndex(config, labels);
        if (config.decision().maxFlagRate() > 0 && labels.size() != 2) {
            throw new AttuneException("decision.max_flag_rate: needs two labels (" + d.train() + " has " + labels + ")");
        }
        if (config.decision().maxFlagRate() > 0 && validation == null) {
            throw new AttuneException("decision.max_flag_rate: needs data.validation to choose the threshold on");
        }
        for (String file : d.extraTests()) DatasetReader.read(Path.of(file), d.textField(), d.labelField()); // a bad file fails now, not after training

        boolean bf16 = switch (config.trainer().precision()) {
            case BF16 -> true;
            case FP32 -> false;
            case AUTO -> Engine.cpuSupportsBf16();
        };
        try (Pretrained pretrained = Pretrained.load(config.model().name())) {
            var m = config.model();
            // training follows PyTorch's autocast: attention matmuls in bf16 too (a third faster per step)
            var encoder = pretrained.model().withPreciseBf16(false);
            if (!Double.isNaN(m.dropout())) encoder = encoder.withDropout(m.dropout());    // model.dropout: auto keeps config.json's
            SequenceClassifier model = SequenceClassifier.create(encoder,
                    new HeadConfig(m.pooling().key(), m.intermediateSize(), m.intermediateActivation().key(), m.classifierDropout()),
                    labels, dev.attune.train.Seeds.headInit(config.trainer().seed()));
            int maxLength = Math.min(d.maxLength(), pretrained.model().config().maxPositionEmbeddings());
            EncodedDataset trainSet = EncodedDataset.encode(train, pretrained.tokenizer(), labels, maxLength)
                    .augmented(Augmentation.of(d.augment(), d.augmentProbability()), config.trainer().seed(), pretrained.tokenizer(), maxLength);
            EncodedDataset valSet = validation == null ? null : EncodedDataset.encode(validation, pretrained.tokenizer(), labels, maxLength);
            EncodedDataset testSet = test == null ? null : EncodedDataset.encode(test, pretrained.tokenizer(), labels, maxLength);
            if (!resuming) {
                if (config.trainer().autoLearningRate() && config.automation().rateSearch() == RunConfig.RateSearchMethod.RANGE_TEST) {
                    var found = findLearningRate(config, model, trainSet, bf16, folder);
                    config = config.with("trainer.learning_rate", found.chosen());
                    folder.writeConfig(config);
                    searchCostSteps = found.points().size();
                }
                Map<String, Dataset> data = new LinkedHashMap<>();
                data.put("train", mainTrain);
                for (int i = 0; i < extraTrain.size(); i++) data.put("extra_train_" + (i + 1), extraTrain.get(i));
                if (validation != null) data.put("validation", validation);
                if (test != null) data.put("test", test);
                if (root) folder.writeProvenance(config, pretrained.directory(), data, bf16 ? "bf16" : "fp32", Engine.threads());
            }

            Path modelDir = folder.modelDir();
            // the weights before any training (pretrained encoder, seeded head init; also on --resume, before the
            // checkpoint is loaded), for the spectral refreshes' signals of the update W − W₀
            var initialMatrices = config.automation().enabled() ? WeightMatrices.fromParameters(model.parameters(), false) : List.<SpectralAnalyzer.Matrix>of();
            Run run = new Run(model, pretrained.tokenizer(), config, bf16, trainSet, valSet, initialMatrices, collective);
            if (!resuming && config.trainer().autoLearningRate()) {
                // successive halving over the swept rates; the chosen candidate's run folder becomes this run's
                RateSearch.Outcome search = searchRate(run, folder, label);
                config = config.with("trainer.learning_rate", search.chosen());
                folder.writeConfig(config);
                folder.writeRateSearch(search);
                folder.adopt(candidateFolder(folder, search.chosen())); // last: a kill before it searches again on --resume
                searchCostSteps = search.extraSteps();
                run = run.with(config);
                resuming = true;
            }
            Segment segment = train(run, folder, label, resuming, Long.MAX_VALUE);
            Trainer.Result result = segment.result();
            if (!root) return null;            // rank 0 scores the test sets and writes the summary
            RunSummary.Parallel parallel = !distributed ? RunSummary.Parallel.SINGLE : new RunSummary.Parallel(collective.worldSize(),
                    (double) result.allReduceBytes() / Math.max(1, result.segmentSteps()), result.communicationSeconds() / Math.max(1, result.segmentSteps()));
            // test with the best validation checkpoint, as Hugging Face's load_best_model_at_end does
            if (config.output().saveModel() && Files.exists(modelDir.resolve("model.safetensors"))) {
                Checkpoint.restoreWeights(model, modelDir.resolve("model.safetensors"));
            } else if (config.output().saveModel()) {
                try {
                    Pretrained.save(model, pretrained.tokenizer(), modelDir);
                } catch (IOException e) {
                    throw new AttuneException(modelDir + ": cannot write model (" + e.getMessage() + ")");
                }
            }
            // calibration and the operating point on the validation split, then the test sets scored at it
            OperatingPoint point = null;
            if (valSet != null) {
                point = operatingPoint(config, labels, Evaluator.probabilities(model, valSet, config.trainer().evalBatchSize(), bf16), valSet);
                if (config.output().saveModel()) {
                    try {
                        CalibrationFile.write(modelDir, point);
                    } catch (IOException e) {
                        throw new AttuneException(modelDir + ": cannot write " + CalibrationFile.NAME + " (" + e.getMessage() + ")");
                    }
                }
            }
            if (validation != null && config.output().saveModel()) writeReference(model, pretrained.tokenizer(), modelDir, validation, maxLength, config.trainer().seed());
            Evaluation testResult = testSet == null ? null : evaluate(model, test, testSet, labels, point, config, bf16);
            Map<String, Evaluation> extra = new LinkedHashMap<>();
            for (String file : d.extraTests()) {
                Dataset data = DatasetReader.read(Path.of(file), d.textField(), d.labelField());
                extra.put(file, evaluate(model, data, EncodedDataset.encode(data, pretrained.tokenizer(), labels, maxLength), labels, point, config, bf16));
            }
            ClassificationMetrics testMetrics = testResult == null ? null : testResult.overall();
            Map<String, ClassificationMetrics> groups = testResult == null ? new TreeMap<>() : testResult.groups();
            RunSummary summary = new RunSummary(runDir, testMetrics, groups, result.bestLoss(), result.bestStep(), result.steps(),
                    result.trainSeconds(), segment.medianStepSeconds(), segment.tokensPerSecond(), RunFiles.peakRssMb(),
                    bf16 ? "bf16" : "fp32", result.stopReason(), config.output().saveModel() ? modelDir : null,
                    segment.analysisSeconds(), segment.refreshes(), result.rollbacks(), segment.curves(), segment.layerRates(),
                    config.trainer().learningRate(), searchCostSteps + result.probeForwardPasses() / 3.0, point, extra, parallel);
            folder.finish(summary);
            return summary;
        }
    }

    /** What one training segment needs: the model, its tokenizer, the resolved config, precision and the data. */
    private record Run(SequenceClassifier model, dev.attune.data.Tokenizer tokenizer, RunConfig config, boolean bf16,
                       EncodedDataset train, EncodedDataset validation, List<SpectralAnalyzer.Matrix> initialMatrices,
                       dev.attune.engine.Collective collective) {
        Run with(RunConfig c) {
            return new Run(model, tokenizer, c, bf16, train, validation, initialMatrices, collective);
        }
    }

    /** What a training segment produced, for the summary. */
    private record Segment(Trainer.Result result, Curves curves, List<LayerRate> layerRates, double medianStepSeconds,
                           double tokensPerSecond, double analysisSeconds, int refreshes) {}

    /**
     * Trains in the run-folder layout of {@code folder} (metrics.jsonl, layer_rates.jsonl, checkpoint/, model/) until
     * the end, or until the first evaluation at or after {@code stopAtStep}, where it writes a checkpoint and stops.
     */
    private static Segment train(Run run, RunFolder folder, String label, boolean resume, long stopAtStep) {
        RunConfig config = run.config();
        var t = config.trainer();
        var a = config.automation();
        long resumeStep = resume ? Checkpoint.step(folder.checkpointDir()) : 0;
        SpectralLayerRates spectral = a.enabled()
                ? new SpectralLayerRates(run.model(), SpectralLayerRates.Settings.of(a, run.train().batchesPerEpoch(t.batchSize())), run.initialMatrices())
                : null;
        StepStats stats = new StepStats();
        boolean root = run.collective().isRoot();               // only rank 0 writes the run folder
        try (MetricsLog log = root ? new MetricsLog(folder.metricsFile(), t.loggingSteps(), resumeStep) : null;
             LayerRatesLog rates = root ? new LayerRatesLog(folder.layerRatesFile(), resumeStep) : null) {
            List<TrainingListener> listeners = new ArrayList<>(List.of(stats));
            if (root) listeners.addAll(List.of(log, rates, new ProgressBar(label)));
            if (spectral != null && root) listeners.add(spectral);
            if (config.output().saveModel() && root) listeners.add(new BestModelSaver(run.model(), run.tokenizer(), folder.modelDir()));
            if (t.earlyStoppingPatience() > 0) listeners.add(new EarlyStopping(t.earlyStoppingPatience()));
            listeners.add(new TrainingListener() { // a resumable checkpoint after every evaluation; a segment's end
                @Override
                public void onEvaluate(dev.attune.train.EvalResult r, TrainingControl control) {
                    control.requestCheckpoint();
                    if (r.step() >= stopAtStep) control.stop("segment end at step " + r.step());
                }
            });
            Trainer trainer = new Trainer(run.model(), t, config.data().lengthBucketing(), run.bf16(),
                    spectral == null ? LayerRates.UNIFORM : spectral, listeners, folder.checkpointDir(), a.enabled() ? a.curvatureSteps() : 0)
                    .distributed(run.collective());
            Trainer.Result result;
            try {
                result = trainer.fit(run.train(), run.validation(), config.model().freeze(), resume);
            } catch (TrainingDivergedException e) {
                if (root) folder.fail(e.getMessage(), e.step(), Trainer.MAX_ROLLBACKS);
                throw e;
            }
            return new Segment(result, root ? log.curves() : null, root ? rates.history() : null, stats.medianStepSeconds(), stats.tokensPerSecond(),
                    spectral == null ? 0 : spectral.analysisSeconds(), spectral == null ? 0 : spectral.refreshes());
        } catch (IOException e) {
            throw new AttuneException(folder.metricsFile() + ": " + e.getMessage());
        }
    }

    /**
     * {@code learning_rate: auto}: successive halving over {@link RateSearch#RATES} ({@link RateSearch}). Each candidate
     * trains in its own folder under {@code rate_search/}; the others' weights are deleted at the end, and the caller
     * moves the chosen one's metrics, rate log, checkpoint and best model into the run folder and continues it.
     */
    private static RateSearch.Outcome searchRate(Run run, RunFolder folder, String label) {
        var t = run.config().trainer();
        if (run.validation() == null) {
            throw new AttuneException("trainer.learning_rate: auto chooses the rate by validation loss; give data.validation, or a rate");
        }
        long total = t.maxSteps() > 0 ? t.maxSteps() : (long) t.epochs() * run.train().batchesPerEpoch(t.batchSize());
        RateSearch plan = RateSearch.plan(RateSearch.RATES, total, t.evalSteps());
        WeightSnapshot initial = WeightSnapshot.of(run.model());
        Map<Double, RunFolder> arms = new LinkedHashMap<>();
        Map<Double, RateSearch.Arm> results = new LinkedHashMap<>();
        List<Double> alive = plan.rates();
        for (int stage = 0; stage < plan.stageEnds().size(); stage++) {
            long end = plan.stageEnds().get(stage);
            Map<Double, Double> stageLoss = new LinkedHashMap<>();
            for (double rate : alive) {
                RunFolder arm = arms.computeIfAbsent(rate, r -> candidateFolder(folder, r));
                boolean first = stage == 0;
                if (first) { // every candidate starts from the same weights
                    try {
                        Directories.deleteTree(arm.dir());
                        Files.createDirectories(arm.dir());
                    } catch (IOException e) {
                        throw new AttuneException(arm.dir() + ": cannot clear (" + e.getMessage() + ")");
                    }
                    initial.restore(run.model());
                }
                String armLabel = label + " rate " + String.format(java.util.Locale.ROOT, "%.0e", rate) + " stage " + (stage + 1) + "/" + plan.stageEnds().size();
                double loss;
                long steps;
                try {
                    Segment s = train(run.with(run.config().with("trainer.learning_rate", rate)), arm, armLabel, !first, end);
                    loss = s.result().bestLoss();
                    steps = s.result().steps();
                } catch (TrainingDivergedException e) {
                    loss = Double.POSITIVE_INFINITY;
                    steps = e.step();
                }
                stageLoss.put(rate, loss);
                results.put(rate, new RateSearch.Arm(rate, steps, loss, stage + 1));
            }
            alive = RateSearch.best(stageLoss, plan.survivors().get(stage));
            System.err.printf("rate search stage %d/%d (to step %d): best validation loss %s; %s go on%n", stage + 1,
                    plan.stageEnds().size(), end, stageLoss, alive);
        }
        double chosen = alive.get(0);
        for (var e : arms.entrySet()) { // the other candidates keep their metrics (for the report), not their weights
            if (e.getKey() == chosen) continue;
            try {
                Directories.deleteTree(e.getValue().checkpointDir());
                Directories.deleteTree(e.getValue().modelDir());
            } catch (IOException ex) {
                throw new AttuneException(e.getValue().dir() + ": cannot clean up (" + ex.getMessage() + ")");
            }
        }
        return new RateSearch.Outcome(chosen, List.copyOf(results.values()));
    }

    private static RunFolder candidateFolder(RunFolder run, double rate) {
        return new RunFolder(run.dir().resolve("rate_search").resolve(rateName(rate)));
    }

    /** A rate as its folder name: {@code lr-1e-05}. */
    public static String rateName(double rate) {
        return "lr-" + String.format(java.util.Locale.ROOT, "%.0e", rate);
    }

    /** Runs the learning-rate range test, logs it to lr_finder.jsonl and returns its probes and choice. */
    private static dev.attune.train.LearningRateFinder.Result findLearningRate(RunConfig config, SequenceClassifier model,
                                                                              EncodedDataset train, boolean bf16, RunFolder folder) {
        var t = config.trainer();
        var found = dev.attune.train.LearningRateFinder.find(model, train, t.batchSize(), bf16, t.seed(), config.model().freeze(),
                1e-6, 1e-2, 40);
        folder.writeRangeTest(found);
        System.err.printf("learning-rate range test: %d probes, chosen learning_rate %.3g%n", found.points().size(), found.chosen());
        return found;
    }

    private static Evaluation evaluate(SequenceClassifier model, Dataset data, EncodedDataset encoded, List<String> labels,
                                       OperatingPoint point, RunConfig config, boolean bf16) {
        float[][] p = Evaluator.probabilities(model, encoded, config.trainer().evalBatchSize(), bf16);
        return Evaluation.of(data, p, encoded.labels(), labels, point);
    }

    /** Temperature scaling and, with {@code decision.max_flag_rate}, the threshold, fitted on validation probabilities. */
    /**
     * The monitoring reference beside the saved model: up to 500 validation texts scored by the model exactly as
     * {@code serve} loads it (its own precision and calibration), so live windows are compared like with like.
     */
    private static void writeReference(SequenceClassifier model, dev.attune.data.Tokenizer tokenizer, Path modelDir, Dataset validation,
                                       int maxLength, long seed) {
        var texts = validation.examples().stream().map(dev.attune.data.Example::text).toList();
        // the saved model, still in memory, in the precision a server loading it would use
        try (Predictor served = Predictor.of(model, tokenizer, modelDir, maxLength, 64, Engine.cpuSupportsBf16())) {
            dev.attune.monitor.Reference.sample(served, texts, 500, seed, maxLength, validation.source().toString()).write(modelDir);
        } catch (IOException e) {
            throw new AttuneException(modelDir + ": cannot write the monitoring reference (" + e.getMessage() + ")");
        }
    }

    private static OperatingPoint operatingPoint(RunConfig config, List<String> labels, float[][] p, EncodedDataset validation) {
        return OperatingPoint.fit(p, validation.labels(), labels, positiveIndex(config, labels), config.decision().temperatureScaling(),
                config.decision().maxFlagRate());
    }

    /** decision.positive_label's index among the labels (default: the second), checked before any training. */
    private static int positiveIndex(RunConfig config, List<String> labels) {
        int i = OperatingPoint.positiveIndex(config.decision().positiveLabel(), labels);
        if (i < 0) {
            throw new AttuneException("decision.positive_label: '" + config.decision().positiveLabel() + "' is not a label of " + config.data().train() + " " + labels);
        }
        return i;
    }

    /** Step times and token counts, for the summary. */
    private static final class StepStats implements TrainingListener {
        final List<Double> stepSeconds = new ArrayList<>();
        double trainSeconds;
        long tokens;

        @Override
        public void onStep(StepMetrics m, TrainingControl control) {
            stepSeconds.add(m.stepSeconds());
            trainSeconds += m.stepSeconds();
            tokens += m.tokens();
        }

        double medianStepSeconds() {
            if (stepSeconds.isEmpty()) return Double.NaN;
            double[] s = stepSeconds.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(s);
            return s[s.length / 2];
        }

        double tokensPerSecond() {
            return trainSeconds == 0 ? Double.NaN : tokens / trainSeconds;
        }
    }
}
