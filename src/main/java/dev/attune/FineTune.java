package dev.attune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.attune.report.MetricsLog;
import dev.attune.report.ProgressBar;
import dev.attune.report.RunFiles;
import dev.attune.train.BestModelSaver;
import dev.attune.train.Checkpoint;
import dev.attune.train.ClassificationMetrics;
import dev.attune.train.EarlyStopping;
import dev.attune.train.Evaluator;
import dev.attune.train.LayerRates;

import dev.attune.train.SpectralLayerRates;
import dev.attune.schedule.Policies;
import dev.attune.spectral.PowerLaw;
import dev.attune.train.StepMetrics;
import dev.attune.train.Trainer;
import dev.attune.train.TrainingControl;
import dev.attune.train.TrainingDivergedException;
import dev.attune.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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

    /** Runs as configured: per-layer rates from spectra when {@code automation.enabled}, else one rate for all. */
    public static RunSummary run(RunConfig config, boolean resume, String label) {
        return run(config, resume, null, List.of(), label);
    }

    /**
     * @param resume     continue from {@code RUN/checkpoint} if there is one
     * @param layerRates per-layer learning-rate multipliers; null: from the config's {@code automation} section
     * @param extra      more listeners (for example the spectral monitor)
     * @param label      shown in progress lines
     */
    public static RunSummary run(RunConfig config, boolean resume, LayerRates layerRates, List<TrainingListener> extra, String label) {
        Engine.init();
        Path runDir = Path.of(config.output().dir());
        Path summaryFile = runDir.resolve("summary.json");
        Path checkpointDir = runDir.resolve("checkpoint");
        boolean resuming = guardRunFolder(runDir, config, resume);
        if (resuming) config = withRunLearningRate(config, runDir);
        if (resuming) requireSameTraining(runDir, config);
        else {
            try {
                Files.createDirectories(runDir);
                RunFiles.writeAtomically(runDir.resolve("config.yaml"), config.toYaml());
            } catch (IOException e) {
                throw new AttuneException("output.dir: cannot write " + runDir + " (" + e.getMessage() + ")");
            }
        }

        // data: the labels are those of the training set, sorted
        var d = config.data();
        Dataset train = DatasetReader.read(Path.of(d.train()), d.textField(), d.labelField());
        Dataset validation = d.validation() == null ? null : DatasetReader.read(Path.of(d.validation()), d.textField(), d.labelField());
        Dataset test = d.test() == null ? null : DatasetReader.read(Path.of(d.test()), d.textField(), d.labelField());
        List<String> labels = new ArrayList<>(new TreeSet<>(train.labelCounts().keySet()));
        if (labels.size() < 2) throw new AttuneException(d.train() + ": training data has only one label " + labels);

        boolean bf16 = switch (config.trainer().precision()) {
            case "bf16" -> true;
            case "fp32" -> false;
            default -> Engine.cpuSupportsBf16();
        };
        try (Pretrained pretrained = Pretrained.load(config.model().name())) {
            var m = config.model();
            // training follows PyTorch's autocast: attention matmuls in bf16 too (a third faster per step)
            SequenceClassifier model = SequenceClassifier.create(pretrained.model().withPreciseBf16(false),
                    new HeadConfig(m.pooling(), m.intermediateSize(), m.intermediateActivation(), m.classifierDropout()),
                    labels, dev.attune.train.Seeds.headInit(config.trainer().seed()));
            int maxLength = Math.min(d.maxLength(), pretrained.model().config().maxPositionEmbeddings());
            EncodedDataset trainSet = EncodedDataset.encode(train, pretrained.tokenizer(), labels, maxLength);
            EncodedDataset valSet = validation == null ? null : EncodedDataset.encode(validation, pretrained.tokenizer(), labels, maxLength);
            EncodedDataset testSet = test == null ? null : EncodedDataset.encode(test, pretrained.tokenizer(), labels, maxLength);
            if (!resuming) {
                if (config.trainer().autoLearningRate()) config = withFoundLearningRate(config, model, trainSet, bf16, runDir);
                writeProvenance(runDir, config, pretrained, train, validation, test, bf16);
            }

            Path modelDir = runDir.resolve("model");
            if (resuming) {
                long resumeStep = Checkpoint.step(checkpointDir);
                try {
                    MetricsLog.truncateAfter(runDir.resolve("metrics.jsonl"), resumeStep);
                } catch (IOException e) {
                    throw new AttuneException(runDir.resolve("metrics.jsonl") + ": " + e.getMessage());
                }
            }
            BestModelSaver best = new BestModelSaver(model, pretrained.tokenizer(), modelDir);
            StepStats stats = new StepStats();
            Trainer.Result result;
            SpectralLayerRates spectral = null;
            try (MetricsLog log = new MetricsLog(runDir.resolve("metrics.jsonl"), config.trainer().loggingSteps())) {
                if (layerRates == null) {
                    var a = config.automation();
                    if (a.enabled()) {
                        List<String> layers = model.parameters().keySet().stream().map(LayerNames::layerOf).distinct().toList();
                        int perEpoch = trainSet.batchesPerEpoch(config.trainer().batchSize());
                        long refresh = a.refreshSteps() > 0 ? a.refreshSteps() : Math.max(1, perEpoch / 10);
                        spectral = new SpectralLayerRates(model, Policies.byName(a.policy(), a.minMultiplier(), a.maxMultiplier()),
                                layers, a.layers(), refresh, 0.01, 100, a.normalize(), a.perLayer(), PowerLaw.Estimator.parse(a.estimator()), config.trainer().learningRate(),
                                config.trainer().lrScheduler(), runDir.resolve("layer_rates.jsonl"), log::write);
                        layerRates = spectral;
                    } else {
                        layerRates = LayerRates.UNIFORM;
                    }
                }
                List<TrainingListener> listeners = new ArrayList<>(List.of(log, new ProgressBar(label), stats));
                if (config.output().saveModel()) listeners.add(best);
                if (config.trainer().earlyStoppingPatience() > 0) listeners.add(new EarlyStopping(config.trainer().earlyStoppingPatience()));
                listeners.add(new TrainingListener() { // a resumable checkpoint after every evaluation
                    @Override
                    public void onEvaluate(dev.attune.train.EvalResult r, TrainingControl control) {
                        control.requestCheckpoint();
                    }
                });
                listeners.addAll(extra);
                if (spectral != null) listeners.add(spectral);
                Trainer trainer = new Trainer(model, config.trainer(), d.lengthBucketing(), bf16, layerRates, listeners, checkpointDir);
                try {
                    result = trainer.fit(trainSet, valSet, m.freeze(), resuming);
                } catch (TrainingDivergedException e) {
                    // a failed run is finished too: its summary says why, and it is never resumed or overwritten
                    try {
                        RunFiles.writeFailedSummary(summaryFile, e.getMessage(), e.step(), Trainer.MAX_ROLLBACKS, RunFiles.peakRssMb());
                        Directories.deleteTree(checkpointDir);
                    } catch (IOException io) {
                        throw new AttuneException(summaryFile + ": cannot write (" + io.getMessage() + ")");
                    }
                    throw e;
                }
            } catch (IOException e) {
                throw new AttuneException(runDir.resolve("metrics.jsonl") + ": " + e.getMessage());
            } finally {
                if (spectral != null) {
                    try {
                        spectral.close();
                    } catch (IOException ignored) {
                        // the log is flushed line by line
                    }
                }
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
                    spectral == null ? 0 : spectral.analysisSeconds(), spectral == null ? 0 : spectral.refreshes(), result.rollbacks());
            try {
                RunFiles.writeSummary(summaryFile, summary);
                Directories.deleteTree(checkpointDir); // the run is finished; the model directory holds its result
            } catch (IOException e) {
                throw new AttuneException(summaryFile + ": cannot write (" + e.getMessage() + ")");
            }
            return summary;
        }
    }

    /**
     * Whether this run continues an unfinished one. A finished run (summary.json, completed or failed) is never
     * trained again; an unfinished one is continued only when asked.
     */
    private static boolean guardRunFolder(Path runDir, RunConfig config, boolean resume) {
        if (Files.exists(runDir.resolve("summary.json"))) {
            throw new AttuneException("output.dir: " + runDir + " already holds a finished run (summary.json); "
                    + (resume ? "--resume continues only unfinished runs; " : "") + "choose another directory");
        }
        boolean unfinished = Checkpoint.exists(runDir.resolve("checkpoint"));
        if (unfinished && !resume) {
            throw new AttuneException("output.dir: " + runDir + " holds an unfinished run; add --resume to continue it, or choose another directory");
        }
        if (unfinished && !Files.isRegularFile(runDir.resolve("config.yaml"))) {
            throw new AttuneException(runDir.resolve("config.yaml") + ": missing; cannot tell what the unfinished run was trained with");
        }
        return unfinished;
    }

    /** {@code learning_rate: auto} resumes with the rate the range test chose when the run started. */
    private static RunConfig withRunLearningRate(RunConfig config, Path runDir) {
        RunConfig previous = RunConfig.load(runDir.resolve("config.yaml"), List.of());
        if (config.trainer().autoLearningRate() && !previous.trainer().autoLearningRate()) {
            return config.withTrainer(config.trainer().withLearningRate(previous.trainer().learningRate()));
        }
        return config;
    }

    /**
     * Refuses to continue a run under settings its first steps never used: every training-relevant config key and
     * the contents of the data files (their SHA-256 in provenance.json) must be what they were.
     */
    private static void requireSameTraining(Path runDir, RunConfig config) {
        RunConfig previous = RunConfig.load(runDir.resolve("config.yaml"), List.of());
        List<String> differences = new ArrayList<>(previous.trainingDifferences(config));
        Path provenance = runDir.resolve("provenance.json");
        if (Files.isRegularFile(provenance)) {
            try {
                var data = new ObjectMapper().readTree(provenance.toFile()).path("data");
                var d = config.data();
                String[][] files = {{"train", d.train()}, {"validation", d.validation()}, {"test", d.test()}};
                for (String[] f : files) {
                    String recorded = data.path(f[0]).path("sha256").asText(null);
                    if (recorded == null || f[1] == null || !Files.isRegularFile(Path.of(f[1]))) continue;
                    String now = RunFiles.sha256(Path.of(f[1]));
                    if (!now.equals(recorded)) {
                        differences.add("data." + f[0] + ": contents changed (sha256 " + recorded.substring(0, 12) + "... -> " + now.substring(0, 12) + "...)");
                    }
                }
            } catch (IOException e) {
                throw new AttuneException(provenance + ": cannot read (" + e.getMessage() + ")");
            }
        }
        if (!differences.isEmpty()) {
            throw new AttuneException("--resume: " + runDir + " was trained with other settings; continue it with its own config.yaml or start a new run: "
                    + String.join("; ", differences));
        }
    }

    /** Runs the learning-rate range test, logs it to lr_finder.jsonl and returns the config with the chosen rate. */
    private static RunConfig withFoundLearningRate(RunConfig config, SequenceClassifier model, EncodedDataset train, boolean bf16, Path runDir) {
        var t = config.trainer();
        var found = dev.attune.train.LearningRateFinder.find(model, train, t.batchSize(), bf16, t.seed(), config.model().freeze(),
                1e-6, 1e-2, 40);
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (var p : found.points()) {
            ObjectNode o = json.createObjectNode();
            o.put("learning_rate", p.learningRate());
            o.put("loss", p.loss());
            o.put("smoothed_loss", p.smoothed());
            sb.append(o).append('\n');
        }
        try {
            RunFiles.writeAtomically(runDir.resolve("lr_finder.jsonl"), sb.toString());
        } catch (IOException e) {
            throw new AttuneException(runDir + ": cannot write lr_finder.jsonl (" + e.getMessage() + ")");
        }
        System.err.printf("learning-rate range test: %d probes, chosen learning_rate %.3g%n", found.points().size(), found.chosen());
        RunConfig out = config.withTrainer(t.withLearningRate(found.chosen()));
        try {
            RunFiles.writeAtomically(runDir.resolve("config.yaml"), out.toYaml());
        } catch (IOException e) {
            throw new AttuneException(runDir + ": cannot write config.yaml (" + e.getMessage() + ")");
        }
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

    private static void writeProvenance(Path runDir, RunConfig config, Pretrained pretrained, Dataset train, Dataset val,
                                        Dataset test, boolean bf16) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("started_at", Instant.now().toString());
        root.put("seed", config.trainer().seed());
        root.put("precision", bf16 ? "bf16" : "fp32");
        root.put("threads", Engine.threads());
        ObjectNode versions = root.putObject("versions");
        new TreeMap<>(RunFiles.versions()).forEach(versions::put);
        try {
            ObjectNode model = root.putObject("model");
            model.put("name", config.model().name());
            model.put("directory", pretrained.directory().toAbsolutePath().toString());
            try (var s = Files.list(pretrained.directory())) {
                for (Path f : s.sorted().toList()) {
                    if (Files.isRegularFile(f) && !f.getFileName().toString().startsWith(".")) {
                        model.put(f.getFileName() + "_sha256", RunFiles.sha256(f));
                    }
                }
            }
            ObjectNode data = root.putObject("data");
            for (Dataset ds : new Dataset[] {train, val, test}) {
                if (ds == null) continue;
                ObjectNode o = data.putObject(ds == train ? "train" : ds == val ? "validation" : "test");
                o.put("path", ds.source().toString());
                o.put("sha256", RunFiles.sha256(ds.source()));
                o.put("examples", ds.size());
                ObjectNode counts = o.putObject("labels");
                ds.labelCounts().forEach(counts::put);
            }
            RunFiles.writeJson(runDir.resolve("provenance.json"), root);
        } catch (IOException e) {
            throw new AttuneException(runDir + ": cannot write provenance.json (" + e.getMessage() + ")");
        }
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
