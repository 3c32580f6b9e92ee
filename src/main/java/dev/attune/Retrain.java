package dev.attune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.config.RunConfig;
import dev.attune.data.Dataset;
import dev.attune.data.DatasetReader;
import dev.attune.report.RunFiles;
import dev.attune.serve.PredictionLog;
import dev.attune.serve.Registry;
import dev.attune.train.ClassificationMetrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Closes the loop: the labelled feedback in a prediction log becomes training data (part of it held back), the
 * automated fine-tune trains a candidate on the original data plus that feedback, and the candidate replaces the
 * model in service only if it is better on the held-back feedback without losing more than {@code maxFrozenLoss} of
 * accuracy on the frozen test set. Both models are scored by the serving path ({@link Predictor}); the decision and
 * every score go to {@code retrain.json} and {@code retrain.html}.
 */
public final class Retrain {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    /** What was compared and decided; {@code scores} maps a data set's name to (in service, candidate). */
    public record Outcome(String inService, String candidate, boolean promoted, String reason, int feedbackTrain, int feedbackHeldBack,
                          Map<String, ClassificationMetrics[]> scores, Path report) {}

    private Retrain() {}

    /**
     * @param config        the run config of the model in service (its data, model and trainer settings)
     * @param feedback      served texts with their true labels (from the prediction log, or a running server)
     * @param alsoScore     more labelled files to score both models on (shown in the report, not part of the decision)
     * @param heldBack      fraction of the feedback held back for the decision
     * @param maxFrozenLoss accuracy the candidate may lose on the frozen test set (0.005 = half a point)
     */
    public static Outcome run(Registry registry, RunConfig config, List<PredictionLog.Labelled> feedback, String source, List<Path> alsoScore,
                              double heldBack, double maxFrozenLoss, Path out) {
        String inService = registry.requireCurrent();
        if (config.data().test() == null) throw new AttuneException("retrain: the config needs data.test, the frozen test set the candidate must not lose on");
        List<PredictionLog.Labelled> train = new ArrayList<>(), held = new ArrayList<>();
        for (PredictionLog.Labelled l : feedback) ((Math.floorMod(l.id().hashCode(), 1000) < heldBack * 1000) ? held : train).add(l);
        if (train.size() < 10 || held.size() < 10) {
            throw new AttuneException("retrain: " + source + " has " + feedback.size() + " predictions with feedback; at least 10 to train on and 10 to hold back are needed");
        }
        try {
            Files.createDirectories(out);
            Path trainFile = writeJsonl(out.resolve("feedback-train.jsonl"), train, config);
            Path heldFile = writeJsonl(out.resolve("feedback-held-back.jsonl"), held, config);
            List<String> extra = new ArrayList<>(config.data().extraTrain() == null ? List.of() : config.data().extraTrain());
            extra.add(trainFile.toString());
            RunConfig candidateConfig = config.with("data.extra_train", extra).with("automation.enabled", true)
                    .with("trainer.learning_rate", Double.NaN).with("output.dir", out.resolve("candidate").toString());
            System.out.printf("retrain: %d feedback labels (%d to train on, %d held back); candidate trains on %s plus them%n",
                    feedback.size(), train.size(), held.size(), config.data().train());
            RunSummary s = FineTune.run(candidateConfig);
            if (s.modelDir() == null) throw new AttuneException("retrain: the candidate run saved no model (output.save_model is off)");

            Map<String, Dataset> sets = new LinkedHashMap<>();
            sets.put("held-back feedback", DatasetReader.read(heldFile, "text", "label"));
            sets.put("frozen test set", DatasetReader.read(Path.of(config.data().test()), config.data().textField(), config.data().labelField()));
            for (Path p : alsoScore) sets.put(p.toString(), DatasetReader.read(p, config.data().textField(), config.data().labelField()));
            Map<String, ClassificationMetrics[]> scores = new LinkedHashMap<>();
            int maxLength = config.data().maxLength();
            try (Predictor current = Predictor.load(registry.modelDir(inService).toString(), maxLength, 64);
                 Predictor candidate = Predictor.load(s.modelDir().toString(), maxLength, 64)) {
                for (var e : sets.entrySet()) scores.put(e.getKey(), new ClassificationMetrics[] {current.evaluate(e.getValue()), candidate.evaluate(e.getValue())});
            }
            ClassificationMetrics[] fb = scores.get("held-back feedback"), frozen = scores.get("frozen test set");
            boolean better = fb[1].accuracy() > fb[0].accuracy();
            boolean keeps = frozen[1].accuracy() >= frozen[0].accuracy() - maxFrozenLoss;
            String version = registry.add(s.modelDir());
            boolean promote = better && keeps;
            String reason = String.format("held-back feedback accuracy %.4f -> %.4f (%s); frozen test accuracy %.4f -> %.4f (%s, at most %.1f points may be lost)",
                    fb[0].accuracy(), fb[1].accuracy(), better ? "better" : "not better", frozen[0].accuracy(), frozen[1].accuracy(),
                    keeps ? "kept" : "lost too much", maxFrozenLoss * 100);
            if (promote) registry.promote(version);
            Outcome o = new Outcome(inService, version, promote, reason, train.size(), held.size(), scores, out.resolve("retrain.html"));
            write(o, out, s);
            return o;
        } catch (IOException e) {
            throw new AttuneException(out + ": " + e.getMessage(), e);
        }
    }

    private static Path writeJsonl(Path file, List<PredictionLog.Labelled> rows, RunConfig config) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (PredictionLog.Labelled l : rows) {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", l.id());
            o.put(config.data().textField(), l.text());
            o.put(config.data().labelField(), l.label());
            o.put("predicted", l.predicted());
            sb.append(LINES.writeValueAsString(o)).append('\n');
        }
        RunFiles.writeAtomically(file, sb.toString());
        return file;
    }

    private static void write(Outcome o, Path out, RunSummary candidateRun) throws IOException {
        ObjectNode j = JSON.createObjectNode();
        j.put("in_service", o.inService());
        j.put("candidate", o.candidate());
        j.put("promoted", o.promoted());
        j.put("reason", o.reason());
        j.put("feedback_train", o.feedbackTrain());
        j.put("feedback_held_back", o.feedbackHeldBack());
        j.put("candidate_run", candidateRun.runDir().toString());
        j.put("candidate_learning_rate", candidateRun.learningRate());
        ObjectNode sc = j.putObject("scores");
        StringBuilder rows = new StringBuilder();
        for (var e : o.scores().entrySet()) {
            ObjectNode s = sc.putObject(e.getKey());
            s.put("in_service_accuracy", e.getValue()[0].accuracy());
            s.put("candidate_accuracy", e.getValue()[1].accuracy());
            s.put("in_service_f1_macro", e.getValue()[0].f1Macro());
            s.put("candidate_f1_macro", e.getValue()[1].f1Macro());
            s.put("examples", e.getValue()[0].examples());
            rows.append(String.format("<tr><td>%s</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%+.2f</td><td>%.4f</td><td>%.4f</td></tr>%n",
                    esc(e.getKey()), e.getValue()[0].examples(), e.getValue()[0].accuracy(), e.getValue()[1].accuracy(),
                    100 * (e.getValue()[1].accuracy() - e.getValue()[0].accuracy()), e.getValue()[0].f1Macro(), e.getValue()[1].f1Macro()));
        }
        RunFiles.writeAtomically(out.resolve("retrain.json"), JSON.writeValueAsString(j) + "\n");
        String html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>attune retrain: %s</title>
                <style>body {font-family: system-ui, sans-serif; margin: 20px; color: #222} table {border-collapse: collapse}
                td, th {border: 1px solid #ccc; padding: 4px 10px; text-align: right} td:first-child, th:first-child {text-align: left}</style></head>
                <body><h1>%s: %s</h1><p>%s</p>
                <p>The candidate (%s) trained on the original training data plus %d feedback labels, with the learning rate chosen by
                attune (%.2g) and per-layer rates; %d feedback labels were held back for this decision. Both models were scored the way
                the server runs them.</p>
                <table><tr><th>data</th><th>examples</th><th>in service (%s) accuracy</th><th>candidate (%s) accuracy</th><th>change, points</th>
                <th>in service macro F1</th><th>candidate macro F1</th></tr>
                %s</table>
                <p>Candidate run: <a href="%s">%s</a></p></body></html>
                """.formatted(o.candidate(), o.candidate(), o.promoted() ? "promoted" : "not promoted", esc(o.reason()), o.candidate(),
                o.feedbackTrain(), candidateRun.learningRate(), o.feedbackHeldBack(), o.inService(), o.candidate(), rows,
                candidateRun.runDir().toAbsolutePath().toUri(), esc(candidateRun.runDir().toString()));
        RunFiles.writeAtomically(out.resolve("retrain.html"), html);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
