package dev.attune.cli;

import dev.attune.Retrain;
import dev.attune.config.RunConfig;
import dev.attune.serve.PredictionLog;
import dev.attune.serve.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "retrain", mixinStandardHelpOptions = true,
        description = "Fine-tune again on the original data plus the labelled feedback in the prediction log (automated rate and "
                + "per-layer policy), then promote the candidate in the registry only if it is better on held-back feedback and loses at "
                + "most --max-frozen-loss points on the frozen test set. Writes retrain.json and retrain.html.")
final class RetrainCommand implements Callable<Integer> {
    @Option(names = "--registry", required = true, description = "The registry whose current version is in service.")
    Path registry;

    @Option(names = "--config", required = true, description = "The run config of the model in service (data.test is the frozen test set).")
    Path config;

    @Option(names = "--set", description = "Override a config key: section.key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--db", description = "The prediction log (default: predictions.duckdb in the registry). A DuckDB file is locked while a server writes it: use --server then.")
    String db;

    @Option(names = "--server", description = "Read the feedback from a running server instead (GET /admin/feedback; bearer token from $ATTUNE_TOKEN), for example http://127.0.0.1:8080.")
    String server;

    @Option(names = "--also", description = "Another labelled file to score both models on, for the report (repeatable).")
    List<Path> also = new ArrayList<>();

    @Option(names = "--held-back", defaultValue = "0.3", description = "Fraction of the feedback held back for the decision (default: ${DEFAULT-VALUE}).")
    double heldBack;

    @Option(names = "--max-frozen-loss", defaultValue = "0.5", description = "Accuracy points the candidate may lose on the frozen test set (default: ${DEFAULT-VALUE}).")
    double maxFrozenLoss;

    @Option(names = "--out", description = "Folder for the candidate run and the report (default: REGISTRY/retrain-TIME).")
    Path out;

    @Override
    public Integer call() {
        Options.requireRange("--held-back", heldBack, 0.05, 0.95);
        Options.requireRange("--max-frozen-loss", maxFrozenLoss, 0, 100);
        Registry r = Registry.open(registry);
        RunConfig cfg = RunConfig.load(config, overrides);
        Path folder = out != null ? out : registry.resolve("retrain-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<PredictionLog.Labelled> feedback;
        String source;
        if (server != null) {
            source = server;
            feedback = fromServer(server);
        } else {
            source = db != null ? db : registry.resolve("predictions.duckdb").toString();
            try (PredictionLog log = PredictionLog.open(source)) {
                feedback = log.labelledFeedback();
            }
        }
        var o = Retrain.run(r, cfg, feedback, source, also, heldBack, maxFrozenLoss / 100, folder);
        System.out.println();
        System.out.printf("%s %s (in service: %s): %s%n", o.candidate(), o.promoted() ? "PROMOTED" : "not promoted", o.promoted() ? o.candidate() : o.inService(), o.reason());
        for (var e : o.scores().entrySet()) {
            System.out.printf("  %-40s %s %.4f   %s %.4f%n", e.getKey(), o.inService(), e.getValue()[0].accuracy(), o.candidate(), e.getValue()[1].accuracy());
        }
        System.out.println("report: " + o.report());
        return 0;
    }

    private static List<PredictionLog.Labelled> fromServer(String base) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base.replaceAll("/+$", "") + "/admin/feedback")).GET();
            String token = System.getenv("ATTUNE_TOKEN");
            if (token != null && !token.isEmpty()) request.header("Authorization", "Bearer " + token);
            var response = java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new dev.attune.AttuneException("--server " + base + ": GET /admin/feedback answered " + response.statusCode() + ": " + response.body());
            }
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("feedback");
            List<PredictionLog.Labelled> out = new ArrayList<>();
            for (var f : node) out.add(new PredictionLog.Labelled(f.path("id").asText(), f.path("text").asText(), f.path("label").asText(), f.path("predicted").asText()));
            return out;
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new dev.attune.AttuneException("--server " + base + ": " + dev.attune.AttuneException.firstLine(String.valueOf(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.attune.AttuneException("--server " + base + ": interrupted");
        }
    }
}
