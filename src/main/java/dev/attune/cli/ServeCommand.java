package dev.attune.cli;

import dev.attune.Predictor;
import dev.attune.serve.PredictionLog;
import dev.attune.serve.Registry;
import dev.attune.serve.RegistryWatcher;
import dev.attune.serve.Server;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a fine-tuned model over HTTP on loopback: POST /v1/predict, POST /v1/feedback, GET /health, /ready, "
                + "/metrics (Prometheus) and /v1/monitor. Every prediction and feedback label is logged to a database.")
final class ServeCommand implements Callable<Integer> {
    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
        Path model;

        @Option(names = "--registry", required = true,
                description = "A model registry (numbered versions and a 'current' pointer): serves the current version and switches when another is promoted.")
        Path registry;
    }

    @Option(names = "--model-version", description = "The version name reported with each prediction (default: the run folder's name).")
    String version;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--db", description = "Prediction log: a DuckDB file, or a jdbc:postgresql: URL (default: predictions.duckdb beside the model directory).")
    String db;

    @Option(names = "--token-env", defaultValue = "ATTUNE_TOKEN",
            description = "Environment variable holding the bearer token that write endpoints require (default: ${DEFAULT-VALUE}; unset: no token).")
    String tokenEnv;

    @Option(names = "--max-length", defaultValue = "128", description = "Tokens per text (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--max-batch", defaultValue = "32", description = "Texts per forward pass of the micro-batcher (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "5", description = "How long a request waits for others to share its batch (default: ${DEFAULT-VALUE}).")
    int maxWaitMs;

    @Option(names = "--max-texts", defaultValue = "64", description = "Texts allowed in one request (default: ${DEFAULT-VALUE}).")
    int maxTexts;

    @picocli.CommandLine.Mixin DecisionOptions decision;

    @Override
    public Integer call() throws Exception {
        Options.requireRange("--port", port, 0, 65535);
        Options.requireRange("--max-batch", maxBatch, 1, 4096);
        Options.requireRange("--max-wait-ms", maxWaitMs, 0, 10_000);
        Options.requireRange("--max-texts", maxTexts, 1, 100_000);
        Options.requireRange("--max-length", maxLength, 2, 512);
        decision.validate();
        Registry registry = source.registry != null ? Registry.open(source.registry) : null;
        Path model = registry != null ? registry.modelDir(registry.requireCurrent()) : source.model;
        if (!Files.isDirectory(model)) throw new dev.attune.AttuneException("--model: " + model + " is not a directory");
        Path abs = model.toAbsolutePath().normalize();
        String name = registry != null ? registry.requireCurrent()
                : version != null ? version : (abs.getParent() != null ? abs.getParent().getFileName().toString() : abs.getFileName().toString());
        Path home = registry != null ? registry.dir() : (abs.getParent() != null ? abs.getParent() : abs);
        String target = db != null ? db : home.resolve("predictions.duckdb").toString();
        String token = System.getenv(tokenEnv);
        var defaults = Server.Settings.defaults();
        var settings = new Server.Settings(host, port, maxTexts, defaults.maxBodyBytes(), maxBatch, maxWaitMs, defaults.maxQueued(),
                defaults.window(), defaults.lowConfidence(), token == null || token.isEmpty() ? null : token);
        Predictor predictor = load(model);
        PredictionLog log;
        try {
            log = PredictionLog.open(target);
        } catch (RuntimeException e) {
            predictor.close();
            throw e;
        }
        Server server;
        try {
            server = Server.start(settings, name, predictor, log);
        } catch (RuntimeException e) {
            log.close();
            predictor.close();
            throw new dev.attune.AttuneException("cannot listen on " + host + ":" + port + " (" + dev.attune.AttuneException.firstLine(String.valueOf(e.getMessage())) + ")", e);
        }
        RegistryWatcher watcher = registry == null ? null : new RegistryWatcher(registry, this::load, server, 1000);
        if (watcher != null) server.onReload(watcher::check);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (watcher != null) watcher.close();
            server.close();
            stopped.countDown();
        }));
        System.err.printf("attune serve: %s (version %s) on http://%s:%d; prediction log %s; write endpoints %s%n", registry != null ? registry.dir() : model, name, host,
                server.port(), log.target(), settings.token() == null ? "open (no token set)" : "need the bearer token");
        stopped.await();
        return 0;
    }

    private Predictor load(Path modelDir) {
        Predictor predictor = Predictor.load(modelDir.toString(), maxLength, maxBatch);
        try {
            decision.apply(predictor);
            predictor.warmUp(maxBatch);
            return predictor;
        } catch (RuntimeException e) {
            predictor.close();
            throw e;
        }
    }
}
