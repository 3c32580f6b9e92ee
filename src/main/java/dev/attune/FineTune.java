package dev.attune;

import dev.attune.config.RunConfig;
import dev.attune.data.Dataset;
import dev.attune.data.DatasetReader;
import dev.attune.data.EncodedDataset;
import dev.attune.data.Example;
import dev.attune.engine.Engine;
import dev.attune.model.HeadConfig;
import dev.attune.model.Pretrained;
import dev.attune.model.Safetensors;
import dev.attune.model.SequenceClassifier;
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
import dev.attune.train.Evaluator;
import dev.attune.train.LayerRate;
import dev.attune.train.LayerRates;

import dev.attune.train.SpectralLayerRates;
import dev.attune.train.StepMetrics;
import dev.attune.train.Trainer;
import dev.attune.train.TrainingControl;
import dev.attune.train.TrainingDivergedException;
import dev.attune.train.TrainingListener;

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
        Engine.init();
        RunFolder folder = new RunFolder(Path.of(config.output().dir()));
        Path runDir = folder.dir();
        boolean resuming = folder.open(config, resume);
        if (resuming) config = folder.resolveForResume(config);

        // data: the labels are those of the training set, sorted
        var d = config.data();
        Dataset train = DatasetReader.read(Path.of(d.train()), d.textField(), d.labelField());
        Dataset validation = d.validation() == null ? null : DatasetReader.read(Path.of(d.validation()), d.textField(), d.labelField());
        Dataset test = d.test() == null ? null : DatasetReader.read(Path.of(d.test()), d.textField(), d.labelField());
        List<String> labels = new ArrayList<>(new TreeSet<>(train.labelCounts().keySet()));
        if (labels.size() < 2) throw new AttuneException(d.train() + ": training data has only one label " + labels);

        boolean bf16 = switch (config.trainer().precision()) {
            case BF16 -> true;
            case FP32 -> false;
            case AUTO -> Engine.cpuSupportsBf16();
        };
        try (Pretrained pretrained = Pretrained.load(config.model().name())) {
            var m = config.model();
            // training follows PyTorch's autocast: attention matmuls in bf16 too (a third faster per step)
            SequenceClassifier model = SequenceClassifier.create(pretrained.model().withPreciseBf16(false),
                    new HeadConfig(m.pooling().key(), m.intermediateSize(), m.intermediateActivation().key(), m.classifierDropout()),
                    labels, dev.attune.train.Seeds.headInit(config.trainer().seed()));
            int maxLength = Math.min(d.maxLength(), pretrained.model().config().maxPositionEmbeddings());
            EncodedDataset trainSet = EncodedDataset.encode(train, pretrained.tokenizer(), labels, maxLength);
            EncodedDataset valSet = validation == null ? null : EncodedDataset.encode(validation, pretrained.tokenizer(), labels, maxLength);
            EncodedDataset testSet = test == null ? null : EncodedDataset.encode(test, pretrained.tokenizer(), labels, maxLength);
            if (!resuming) {
                if (config.trainer().autoLearningRate()) config = withFoundLearningRate(config, model, trainSet, bf16, folder);
                Map<String, Dataset> data = new LinkedHashMap<>();
                data.put("train", train);
                if (validation != null) data.put("validation", validation);
                if (test != null) data.put("test", test);
                folder.writeProvenance(config, pretrained.directory(), data, bf16 ? "bf16" : "fp32", Engine.threads());
            }

            Path modelDir = folder.modelDir();
            Path checkpointDir = folder.checkpointDir();
            BestModelSaver best = new BestModelSaver(model, pretrained.tokenizer(), modelDir);
            StepStats stats = new StepStats();
            Trainer.Result result;
            long resumeStep = resuming ? Checkpoint.step(checkpointDir) : 0;
            var a = config.automation();
            SpectralLayerRates spectral = a.enabled()
                    ? new SpectralLayerRates(model, SpectralLayerRates.Settings.of(a, trainSet.batchesPerEpoch(config.trainer().batchSize())))
                    : null;
            Curves curves;
            List<LayerRate> layerRates;
            try (MetricsLog log = new MetricsLog(folder.metricsFile(), config.trainer().loggingSteps(), resumeStep);
                 LayerRatesLog rates = new LayerRatesLog(folder.layerRatesFile(), resumeStep)) {
                List<TrainingListener> listeners = new ArrayList<>(List.of(log, rates, new ProgressBar(label), stats));
                if (config.output().saveModel()) listeners.add(best);
                if (config.trainer().earlyStoppingPatience() > 0) listeners.add(new EarlyStopping(config.trainer().earlyStoppingPatience()));
                listeners.add(new TrainingListener() { // a resumable checkpoint after every evaluation
                    @Override
                    public void onEvaluate(dev.attune.train.EvalResult r, TrainingControl control) {
                        control.requestCheckpoint();
                    }
                });
                Trainer trainer = new Trainer(model, config.trainer(), d.lengthBucketing(), bf16,
                        spectral == null ? LayerRates.UNIFORM : spectral, listeners, checkpointDir);
                try {
                    result = trainer.fit(trainSet, valSet, m.freeze(), resuming);
                } catch (TrainingDivergedException e) {
                    folder.fail(e.getMessage(), e.step(), Trainer.MAX_ROLLBACKS);
                    throw e;
                }
                curves = log.curves();
                layerRates = rates.history();
            } catch (IOException e) {
                throw new AttuneException(folder.metricsFile() + ": " + e.getMessage());
            }

            // test with the best validation checkpoint, as Hugging Face's load_best_model_at_end does
            if (config.output().saveModel() && Files.exists(modelDir.resolve("model.safetensors"))) {
                Checkpoint.restoreWeights(model, Safetensors.read(modelDir.resolve("model.safetensors")), modelDir.toString());
            } else if (config.output().saveModel()) {
                try {
                    Pretrained.save(model, pretrained.tokenizer(), modelDir);
                } catch (IOException e) {
                    throw new AttuneException(modelDir + ": cannot write model (" + e.getMessage() + ")");
                }
            }
            ClassificationMetrics testMetrics = null;
            Map<String, ClassificationMetrics> groups = new TreeMap<>();
            if (testSet != null) {
                float[][] p = Evaluator.probabilities(model, testSet, config.trainer().evalBatchSize(), bf16);
                long[] truth = new long[testSet.size()];
                for (int i = 0; i < truth.length; i++) truth[i] = testSet.label(i);
                testMetrics = ClassificationMetrics.of(p, truth, labels);
                groups = perGroup(test, p, truth, labels);
            }
            RunSummary summary = new RunSummary(runDir, testMetrics, groups, result.bestLoss(), result.bestStep(), result.steps(),
                    result.trainSeconds(), stats.medianStepSeconds(), stats.tokensPerSecond(), RunFiles.peakRssMb(),
                    bf16 ? "bf16" : "fp32", result.stopReason(), config.output().saveModel() ? modelDir : null,
                    spectral == null ? 0 : spectral.analysisSeconds(), spectral == null ? 0 : spectral.refreshes(), result.rollbacks(), curves, layerRates);
            folder.finish(summary);
            return summary;
        }
    }

    /** Runs the learning-rate range test, logs it to lr_finder.jsonl and returns the config with the chosen rate. */
    private static RunConfig withFoundLearningRate(RunConfig config, SequenceClassifier model, EncodedDataset train, boolean bf16, RunFolder folder) {
        var t = config.trainer();
        var found = dev.attune.train.LearningRateFinder.find(model, train, t.batchSize(), bf16, t.seed(), config.model().freeze(),
                1e-6, 1e-2, 40);
        folder.writeRangeTest(found);
        System.err.printf("learning-rate range test: %d probes, chosen learning_rate %.3g%n", found.points().size(), found.chosen());
        RunConfig out = config.with("trainer.learning_rate", found.chosen());
        folder.writeConfig(out);
        return out;
    }

    /** Metrics for each example group (for example SpamAssassin's hard-ham), when the data has groups. */
    private static Map<String, ClassificationMetrics> perGroup(Dataset data, float[][] p, long[] truth, List<String> labels) {
        Map<String, List<Integer>> idx = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            Example e = data.examples().get(i);
            if (e.group() != null) idx.computeIfAbsent(e.group(), k -> new ArrayList<>()).add(i);
        }
        Map<String, ClassificationMetrics> out = new LinkedHashMap<>();
        idx.forEach((g, ix) -> {
            float[][] gp = new float[ix.size()][];
            long[] gt = new long[ix.size()];
            for (int k = 0; k < ix.size(); k++) {
                gp[k] = p[ix.get(k)];
                gt[k] = truth[ix.get(k)];
            }
            out.put(g, ClassificationMetrics.of(gp, gt, labels));
        });
        return out;
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
