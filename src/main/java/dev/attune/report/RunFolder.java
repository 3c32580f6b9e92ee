package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;
import dev.attune.Directories;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import dev.attune.data.Dataset;
import dev.attune.train.Checkpoint;
import dev.attune.train.LearningRateFinder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run folder and the rules that keep it honest. It names every file ({@code config.yaml}, {@code metrics.jsonl},
 * {@code layer_rates.jsonl}, {@code lr_finder.jsonl}, {@code provenance.json}, {@code summary.json},
 * {@code checkpoint/}, {@code model/}) and writes the run-level ones; a finished run (completed or failed) is never
 * trained again, and an unfinished one is continued only with the settings it started with.
 */
public final class RunFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public RunFolder(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return dir.resolve("config.yaml");
    }

    public Path metricsFile() {
        return dir.resolve("metrics.jsonl");
    }

    public Path layerRatesFile() {
        return dir.resolve("layer_rates.jsonl");
    }

    public Path summaryFile() {
        return dir.resolve("summary.json");
    }

    public Path checkpointDir() {
        return dir.resolve("checkpoint");
    }

    public Path modelDir() {
        return dir.resolve("model");
    }

    /**
     * Opens the folder for a run of {@code config}: true when it continues an unfinished run (only with
     * {@code resume}, and only when every training-relevant setting and data file is what the run started with),
     * false for a new run, whose resolved config is written. A finished run is refused either way.
     */
    public boolean open(RunConfig config, boolean resume) {
        if (Files.exists(summaryFile())) {
            throw new AttuneException("output.dir: " + dir + " already holds a finished run (summary.json); "
                    + (resume ? "--resume continues only unfinished runs; " : "") + "choose another directory");
        }
        boolean unfinished = Checkpoint.exists(checkpointDir());
        if (unfinished && !resume) {
            throw new AttuneException("output.dir: " + dir + " holds an unfinished run; add --resume to continue it, or choose another directory");
        }
        if (unfinished) {
            if (!Files.isRegularFile(configFile())) {
                throw new AttuneException(configFile() + ": missing; cannot tell what the unfinished run was trained with");
            }
            requireSameTraining(config);
            return true;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AttuneException("output.dir: cannot write " + dir + " (" + e.getMessage() + ")");
        }
        writeConfig(config);
        return false;
    }

    /** The config the run was started with (its learning rate resolved when it was {@code auto}). */
    public RunConfig config() {
        return RunConfig.load(configFile(), List.of());
    }

    /** {@code config} for continuing this run: {@code learning_rate: auto} takes the rate the range test chose. */
    public RunConfig resolveForResume(RunConfig config) {
        RunConfig previous = config();
        if (config.trainer().autoLearningRate() && !previous.trainer().autoLearningRate()) {
            return config.with("trainer.learning_rate", previous.trainer().learningRate());
        }
        return config;
    }

    private void requireSameTraining(RunConfig config) {
        List<String> differences = new ArrayList<>(config().trainingDifferences(resolveForResume(config)));
        Path provenance = dir.resolve("provenance.json");
        if (Files.isRegularFile(provenance)) {
            try {
                var data = JSON.readTree(provenance.toFile()).path("data");
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
            throw new AttuneException("--resume: " + dir + " was trained with other settings; continue it with its own config.yaml or start a new run: "
                    + String.join("; ", differences));
        }
    }

    public void writeConfig(RunConfig config) {
        write(configFile(), config.toYaml());
    }

    /** {@code lr_finder.jsonl}: one probe of the learning-rate range test per line. */
    public void writeRangeTest(LearningRateFinder.Result found) {
        StringBuilder sb = new StringBuilder();
        for (var p : found.points()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("learning_rate", p.learningRate());
            o.put("loss", p.loss());
            o.put("smoothed_loss", p.smoothed());
            sb.append(o).append('\n');
        }
        write(dir.resolve("lr_finder.jsonl"), sb.toString());
    }

    /**
     * The finished run in this folder (completed or failed), read back from its files, when it was trained with
     * {@code config}'s training settings; null when the folder holds no finished run. A comparison reuses it instead of
     * training it again. A run trained with other settings is an error that lists them.
     */
    public RunSummary readFinished(RunConfig config) {
        if (!Files.isRegularFile(summaryFile())) return null;
        try {
            List<String> differences = config().trainingDifferences(resolveForResume(config));
            if (!differences.isEmpty()) {
                throw new AttuneException(dir + ": holds a finished run trained with other settings (" + String.join("; ", differences)
                        + "); remove it or choose another output.dir");
            }
            var root = JSON.readTree(summaryFile().toFile());
            boolean completed = root.path("status").asText().equals("completed");
            Curves curves;
            List<dev.attune.train.LayerRate> rates;
            try (MetricsLog log = new MetricsLog(metricsFile(), 1, Long.MAX_VALUE);
                 LayerRatesLog layerRates = new LayerRatesLog(layerRatesFile(), Long.MAX_VALUE)) {
                curves = log.curves();
                rates = layerRates.history();
            }
            return new RunSummary(dir, completed && root.has("test") ? RunFiles.metricsFromJson(root.get("test")) : null, Map.of(),
                    root.path("best_validation_loss").asDouble(Double.NaN), root.path("best_step").asLong(-1), root.path("steps").asLong(),
                    root.path("train_seconds").asDouble(Double.NaN), root.path("median_step_seconds").asDouble(Double.NaN),
                    root.path("tokens_per_second").asDouble(Double.NaN), root.path("peak_rss_mb").asDouble(Double.NaN),
                    root.path("precision").asText(""), root.path("stop_reason").asText(""),
                    Files.isDirectory(modelDir()) ? modelDir() : null, root.path("analysis_seconds").asDouble(0),
                    root.path("analysis_refreshes").asInt(0), root.path("rollbacks").asInt(0), curves, rates,
                    config().trainer().learningRate(), searchCostSteps(), null, extraTests(root));
        } catch (IOException e) {
            throw new AttuneException(summaryFile() + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** {@code rate_search.json}: each candidate of the learning-rate search, its steps and best loss, and the choice. */
    public void writeRateSearch(dev.attune.train.RateSearch.Outcome o) {
        ObjectNode root = JSON.createObjectNode();
        root.put("chosen_learning_rate", o.chosen());
        root.put("extra_steps", o.extraSteps());
        var arms = root.putArray("candidates");
        for (var a : o.arms()) {
            ObjectNode n = arms.addObject();
            n.put("learning_rate", a.learningRate());
            n.put("steps", a.steps());
            n.put("best_validation_loss", a.bestLoss());
            n.put("stages", a.stages());
        }
        write(rateSearchFile(), root.toPrettyString());
    }

    public Path rateSearchFile() {
        return dir.resolve("rate_search.json");
    }

    /**
     * What choosing the learning rate cost beyond the run's own steps, in training steps: the other candidates' steps
     * of the rate search, or the range test's probes; 0 when the rate was given.
     */
    public double searchCostSteps() {
        try {
            if (Files.isRegularFile(rateSearchFile())) return JSON.readTree(rateSearchFile().toFile()).path("extra_steps").asDouble();
            Path rangeTest = dir.resolve("lr_finder.jsonl");
            if (Files.isRegularFile(rangeTest)) return Files.readAllLines(rangeTest).stream().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new AttuneException(rateSearchFile() + ": cannot read (" + e.getMessage() + ")");
        }
        return 0;
    }

    /**
     * Takes over a run trained in {@code other} (a candidate of the rate search): its metrics, rate log, checkpoint and
     * best model move here, so this run continues it.
     */
    public void adopt(RunFolder other) {
        try {
            for (Path from : List.of(other.metricsFile(), other.layerRatesFile(), other.checkpointDir(), other.modelDir())) {
                Path to = dir.resolve(from.getFileName());
                if (!Files.exists(from)) continue;
                Directories.deleteTree(to);
                Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new AttuneException(dir + ": cannot take over " + other.dir() + " (" + e.getMessage() + ")");
        }
    }

    /** What produced the run: start time, seed, precision, threads, versions, the model's files and the data, hashed. */
    public void writeProvenance(RunConfig config, Path modelDirectory, Map<String, Dataset> data, String precision, int threads) {
        ObjectNode root = JSON.createObjectNode();
        root.put("started_at", Instant.now().toString());
        root.put("seed", config.trainer().seed());
        root.put("precision", precision);
        root.put("threads", threads);
        ObjectNode versions = root.putObject("versions");
        new TreeMap<>(RunFiles.versions()).forEach(versions::put);
        Path file = dir.resolve("provenance.json");
        try {
            ObjectNode model = root.putObject("model");
            model.put("name", config.model().name());
            model.put("directory", modelDirectory.toAbsolutePath().toString());
            try (var s = Files.list(modelDirectory)) {
                for (Path f : s.sorted().toList()) {
                    if (Files.isRegularFile(f) && !f.getFileName().toString().startsWith(".")) {
                        model.put(f.getFileName() + "_sha256", RunFiles.sha256(f));
                    }
                }
            }
            ObjectNode out = root.putObject("data");
            for (var e : data.entrySet()) {
                Dataset ds = e.getValue();
                ObjectNode o = out.putObject(e.getKey());
                o.put("path", ds.source().toString());
                o.put("sha256", RunFiles.sha256(ds.source()));
                o.put("examples", ds.size());
                ObjectNode counts = o.putObject("labels");
                ds.labelCounts().forEach(counts::put);
            }
            RunFiles.writeJson(file, root);
        } catch (IOException e) {
            throw new AttuneException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /** summary.json's {@code extra_tests}, overall metrics per file (per-kind accuracies are not read back). */
    private static Map<String, dev.attune.train.Evaluation> extraTests(com.fasterxml.jackson.databind.JsonNode root) {
        Map<String, dev.attune.train.Evaluation> out = new java.util.LinkedHashMap<>();
        root.path("extra_tests").fields().forEachRemaining(e ->
                out.put(e.getKey(), new dev.attune.train.Evaluation(RunFiles.metricsFromJson(e.getValue()), Map.of())));
        return out;
    }

    /** Finishes the run: summary.json, then the checkpoint goes (the model directory holds the result). */
    public void finish(RunSummary summary) {
        try {
            RunFiles.writeSummary(summaryFile(), summary);
            Directories.deleteTree(checkpointDir());
        } catch (IOException e) {
            throw new AttuneException(summaryFile() + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /** Finishes a run that failed: summary.json says why, and the run is never resumed or overwritten. */
    public void fail(String reason, long step, int rollbacks) {
        try {
            RunFiles.writeFailedSummary(summaryFile(), reason, step, rollbacks, RunFiles.peakRssMb());
            Directories.deleteTree(checkpointDir());
        } catch (IOException e) {
            throw new AttuneException(summaryFile() + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static void write(Path file, String content) {
        try {
            RunFiles.writeAtomically(file, content);
        } catch (IOException e) {
            throw new AttuneException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
