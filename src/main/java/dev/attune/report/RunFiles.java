package dev.attune.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.RunSummary;
import dev.attune.train.ClassificationMetrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** The self-describing files of a run folder: summary.json and provenance.json, written atomically. */
public final class RunFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunFiles() {}

    public static ObjectNode metricsJson(ClassificationMetrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("examples", m.examples());
        o.put("accuracy", m.accuracy());
        o.put("f1_macro", m.f1Macro());
        o.put("loss", m.loss());
        if (m.rocAuc() != null && Double.isFinite(m.rocAuc())) o.put("roc_auc", m.rocAuc());
        ObjectNode per = o.putObject("per_class");
        m.perClass().forEach((label, c) -> {
            ObjectNode k = per.putObject(label);
            k.put("precision", c.precision());
            k.put("recall", c.recall());
            k.put("f1", c.f1());
            k.put("support", c.support());
        });
        var labels = o.putArray("labels");
        m.labels().forEach(labels::add);
        var cm = o.putArray("confusion_matrix");
        for (int[] row : m.confusion()) {
            var r = cm.addArray();
            for (int v : row) r.add(v);
        }
        return o;
    }

    /** The inverse of {@link #metricsJson}. */
    static ClassificationMetrics metricsFromJson(com.fasterxml.jackson.databind.JsonNode o) {
        java.util.Map<String, ClassificationMetrics.PerClass> per = new java.util.LinkedHashMap<>();
        o.path("per_class").fields().forEachRemaining(e -> per.put(e.getKey(), new ClassificationMetrics.PerClass(
                e.getValue().path("precision").asDouble(), e.getValue().path("recall").asDouble(), e.getValue().path("f1").asDouble(),
                e.getValue().path("support").asInt())));
        java.util.List<String> labels = new java.util.ArrayList<>();
        o.path("labels").forEach(l -> labels.add(l.asText()));
        int[][] cm = new int[o.path("confusion_matrix").size()][];
        for (int i = 0; i < cm.length; i++) {
            var row = o.path("confusion_matrix").get(i);
            cm[i] = new int[row.size()];
            for (int j = 0; j < cm[i].length; j++) cm[i][j] = row.get(j).asInt();
        }
        return new ClassificationMetrics(o.path("examples").asInt(), o.path("loss").asDouble(), o.path("accuracy").asDouble(),
                o.path("f1_macro").asDouble(), per, labels, cm, o.has("roc_auc") ? o.get("roc_auc").asDouble() : null);
    }

    public static void writeSummary(Path file, RunSummary s) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", "completed");
        if (s.test() != null) root.set("test", metricsJson(s.test()));
        putGroups(root.putObject("test_groups"), s.testGroups());
        if (s.operatingPoint() != null) root.set("calibration", CalibrationFile.json(s.operatingPoint(), false));
        if (!s.extraTests().isEmpty()) {
            ObjectNode extra = root.putObject("extra_tests");
            s.extraTests().forEach((testFile, e) -> {
                ObjectNode o = metricsJson(e.overall());
                putGroups(o.putObject("groups"), e.groups());
                extra.set(testFile, o);
            });
        }
        if (Double.isFinite(s.bestValidationLoss())) root.put("best_validation_loss", s.bestValidationLoss());
        root.put("best_step", s.bestStep());
        root.put("steps", s.steps());
        root.put("train_seconds", s.trainSeconds());
        root.put("median_step_seconds", s.medianStepSeconds());
        root.put("tokens_per_second", s.tokensPerSecond());
        root.put("peak_rss_mb", s.peakRssMb());
        root.put("precision", s.precision());
        root.put("world_size", s.parallel().worldSize());
        if (s.parallel().worldSize() > 1) {
            root.put("allreduce_bytes_per_step", s.parallel().allReduceBytesPerStep());
            root.put("communication_seconds_per_step", s.parallel().communicationSecondsPerStep());
        }
        root.put("stop_reason", s.stopReason());
        root.put("rollbacks", s.rollbacks());
        root.put("learning_rate", s.learningRate());
        root.put("search_cost_steps", s.searchCostSteps());
        if (s.modelDir() != null) root.put("model_dir", s.modelDir().toString());
        if (s.refreshes() > 0) {
            root.put("analysis_seconds", s.analysisSeconds());
            root.put("analysis_refreshes", s.refreshes());
            root.put("analysis_overhead", s.analysisSeconds() / Math.max(1e-9, s.trainSeconds()));
        }
        writeAtomically(file, JSON.writeValueAsString(root));
    }

    /** Examples and accuracy per example group. */
    private static void putGroups(ObjectNode into, Map<String, ClassificationMetrics> groups) {
        groups.forEach((g, m) -> {
            ObjectNode o = into.putObject(g);
            o.put("examples", m.examples());
            o.put("accuracy", m.accuracy());
        });
    }

    /** summary.json of a run that stopped because training diverged after its last allowed rollback. */
    public static void writeFailedSummary(Path file, String reason, long step, int rollbacks, double peakRssMb) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", "failed");
        root.put("stop_reason", reason);
        root.put("steps", step);
        root.put("rollbacks", rollbacks);
        root.put("peak_rss_mb", peakRssMb);
        writeAtomically(file, JSON.writeValueAsString(root));
    }

    public static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void writeJson(Path file, Object value) throws IOException {
        writeAtomically(file, JSON.writeValueAsString(value));
    }

    /** Peak resident memory of this process (VmHWM), in MiB; NaN where /proc is not available. */
    public static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return Double.NaN;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Versions of the runtime pieces that decide the numbers. */
    public static Map<String, String> versions() {
        return Map.of(
                "attune", "0.1.0",
                "java", System.getProperty("java.version"),
                "libtorch", "2.10.0 (org.bytedeco:pytorch:2.10.0-1.5.13)",
                "tokenizers", "ai.djl.huggingface:tokenizers:0.36.0",
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    }
}
