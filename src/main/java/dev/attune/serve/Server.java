package dev.attune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.Predictor;
import dev.attune.monitor.Drift;
import dev.attune.monitor.Reference;
import dev.attune.monitor.TrafficSummary;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP server (Javalin on Jetty): predictions through the micro-batcher, feedback, health, readiness,
 * Prometheus metrics and a monitoring summary. Every refusal is a JSON error with a 4xx status; write endpoints need
 * the bearer token when one is configured.
 */
public final class Server implements AutoCloseable {
    /** Limits and bindings; {@code token} null means write endpoints are open (loopback use). */
    public record Settings(String host, int port, int maxTexts, long maxBodyBytes, int maxBatch, long maxWaitMillis,
                           int maxQueued, int window, double lowConfidence, String token) {
        public static Settings defaults() {
            return new Settings("127.0.0.1", 8080, 64, 1 << 20, 32, 5, 1024, 200, 0.65, null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long REQUEST_TIMEOUT_SECONDS = 60;
    static final int MIN_DRIFT_WINDOW = 20, DRIFT_PERMUTATIONS = 200;
    static final double DRIFT_ALPHA = 0.01;

    private final Settings settings;
    private final Batcher batcher;
    private final PredictionLog log;
    private final ServeMetrics metrics = new ServeMetrics();
    private final RecentWindow window;
    private final Map<String, String> recentLabels = Collections.synchronizedMap(new LinkedHashMap<>(1 << 16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 100_000;
        }
    });
    private final Javalin app;
    private volatile int disagreements;
    private volatile java.util.function.Supplier<String> reloader;
    private final java.util.concurrent.ConcurrentHashMap<String, Long> servedByVersion = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService monitorThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "attune-monitor");
        t.setDaemon(true);
        return t;
    });

    private Server(Settings settings, ServedModel model, PredictionLog log) {
        this.settings = settings;
        this.log = log;
        this.window = new RecentWindow(settings.window(), settings.lowConfidence());
        this.batcher = new Batcher(model, settings.maxBatch(), settings.maxWaitMillis(), settings.maxQueued(), metrics.batchSize::observe);
        metrics.serving(null, model.version());
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = settings.maxBodyBytes();
            cfg.http.prefer405over404 = true;
            cfg.jetty.defaultHost = settings.host();
            cfg.jetty.defaultPort = settings.port();
        });
        app.before(ctx -> ctx.attribute("start", System.nanoTime()));
        app.after(this::observe);
        app.get("/health", ctx -> json(ctx, 200, Map.of("status", "ok")));
        app.get("/ready", ctx -> json(ctx, 200, Map.of("status", "ready", "model_version", batcher.current().version())));
        app.get("/metrics", ctx -> ctx.contentType(ServeMetrics.contentType()).result(metrics.scrape()));
        app.post("/v1/predict", this::predict);
        app.post("/v1/feedback", this::feedback);
        app.get("/v1/monitor", this::monitor);
        app.get("/admin/feedback", ctx -> {
            authorize(ctx);
            json(ctx, 200, Map.of("feedback", log.labelledFeedback()));
        });
        app.get("/admin/edge-cases", ctx -> {
            authorize(ctx);
            int limit = ctx.queryParam("limit") == null ? 100 : parseLimit(ctx.queryParam("limit"));
            json(ctx, 200, Map.of("low_confidence_below", settings.lowConfidence(), "edge_cases", log.edgeCases(settings.lowConfidence(), limit)));
        });
        app.post("/admin/reload", ctx -> {
            authorize(ctx);
            var r = reloader;
            if (r == null) throw new ApiError(409, "no_registry", "this server serves one model directory, not a registry");
            json(ctx, 200, Map.of("model_version", r.get()));
        });
        app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            switch (e.getStatus()) {
                case 404 -> error(ctx, 404, "not_found", "no endpoint " + ctx.method() + " " + ctx.path());
                case 405 -> error(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path());
                case 413 -> error(ctx, 413, "body_too_large", "the request body is larger than " + settings.maxBodyBytes() + " bytes");
                default -> error(ctx, e.getStatus(), "bad_request", e.getMessage());
            }
        });
        app.exception(Exception.class, (e, ctx) -> {
            System.err.println("attune serve: " + ctx.method() + " " + ctx.path() + ": " + e);
            error(ctx, 500, "internal", "the server could not complete the request");
        });
    }

    /** Starts serving {@code model} (named {@code version}), logging to {@code log}. */
    public static Server start(Settings settings, String version, Predictor model, PredictionLog log) {
        Server s = new Server(settings, ServedModel.load(version, model), log);
        s.app.start();
        return s;
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    /** Serves {@code model} from the next batch on, without failing a request in flight. */
    public void swap(String version, Predictor model) {
        String previous = batcher.current().version();
        batcher.swap(ServedModel.load(version, model));
        metrics.serving(previous, version);
    }

    /** What {@code POST /admin/reload} runs: switch to the registry's promoted version, return the one served. */
    public void onReload(java.util.function.Supplier<String> reload) {
        this.reloader = reload;
    }

    public String modelVersion() {
        return batcher.current().version();
    }

    // ---- endpoints ----------------------------------------------------------------------------------------

    private void predict(Context ctx) throws Exception {
        JsonNode body = jsonBody(ctx);
        JsonNode texts = body.get("texts");
        if (texts == null) throw new ApiError(400, "missing_texts", "the body needs \"texts\": a list of strings");
        if (!texts.isArray()) throw new ApiError(400, "texts_not_a_list", "\"texts\" must be a list of strings, not " + kind(texts));
        if (texts.isEmpty()) throw new ApiError(400, "empty_texts", "\"texts\" is empty: send at least one text");
        if (texts.size() > settings.maxTexts()) {
            throw new ApiError(413, "too_many_texts", "\"texts\" has " + texts.size() + " entries; at most " + settings.maxTexts() + " per request");
        }
        List<String> list = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            if (!texts.get(i).isTextual()) throw new ApiError(400, "text_not_a_string", "texts[" + i + "] must be a string, not " + kind(texts.get(i)));
            list.add(texts.get(i).asText());
        }
        Batcher.Result result;
        try {
            result = batcher.submit(list).get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ApiError(503, "timeout", "no model answered within " + REQUEST_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiError a) throw a;
            throw new ApiError(500, "inference_failed", "the model could not classify these texts: " + dev.attune.AttuneException.firstLine(String.valueOf(e.getCause().getMessage())));
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode predictions = out.putArray("predictions");
        long now = System.currentTimeMillis();
        for (int i = 0; i < list.size(); i++) {
            Predictor.Scored s = result.scored().get(i);
            String id = UUID.randomUUID().toString();
            ObjectNode p = predictions.addObject();
            p.put("id", id);
            p.put("label", s.prediction().label());
            ObjectNode probs = p.putObject("probabilities");
            double top = 0;
            for (var e : s.prediction().probabilities().entrySet()) {
                probs.put(e.getKey(), e.getValue());
                top = Math.max(top, e.getValue());
            }
            recentLabels.put(id, s.prediction().label());
            window.add(new RecentWindow.Item(result.modelVersion(), new TrafficSummary.Observation(s.prediction().label(), top, s.tokens(), s.unknownTokens()), s.pooled()));
            log.record(new PredictionLog.Prediction(id, now, result.modelVersion(), list.get(i), s.prediction().label(),
                    JSON.writeValueAsString(probs), top, s.tokens(), s.unknownTokens(), s.pooled()));
        }
        out.put("model_version", result.modelVersion());
        metrics.texts.inc(list.size());
        long served = servedByVersion.merge(result.modelVersion(), (long) list.size(), Long::sum);
        if (served / settings.window() > (served - list.size()) / settings.window()) closeWindow(result.modelVersion(), served);
        json(ctx, 200, out);
    }

    private void feedback(Context ctx) throws Exception {
        authorize(ctx);
        JsonNode body = jsonBody(ctx);
        String id = requiredString(body, "id");
        String label = requiredString(body, "label");
        List<String> labels = batcher.current().predictor().labels();
        if (!labels.contains(label)) throw new ApiError(400, "unknown_label", "label '" + label + "' is not one of the model's labels " + labels);
        String predicted = recentLabels.get(id);
        if (predicted == null) predicted = log.predictedLabel(id);
        if (predicted == null) throw new ApiError(404, "unknown_id", "no prediction has id '" + id + "'");
        boolean agrees = predicted.equals(label);
        if (!agrees) disagreements++;
        log.record(new PredictionLog.Feedback(id, System.currentTimeMillis(), label));
        metrics.feedback.labelValues(String.valueOf(agrees)).inc();
        json(ctx, 200, Map.of("id", id, "label", label, "predicted", predicted, "agrees", agrees));
    }

    private void monitor(Context ctx) throws Exception {
        ServedModel model = batcher.current();
        List<String> labels = model.predictor().labels();
        TrafficSummary s = window.summary(model.version(), labels);
        ObjectNode out = JSON.createObjectNode();
        out.put("window", s.size());
        out.put("window_capacity", settings.window());
        out.put("model_version", model.version());
        ObjectNode drift = out.putObject("drift");
        Reference ref = model.reference();
        if (ref == null) {
            drift.putNull("score");
            drift.put("reason", "the model has no monitoring reference (" + Reference.SUMMARY + "); models trained with validation data have one");
        } else if (s.size() < MIN_DRIFT_WINDOW) {
            drift.putNull("score");
            drift.put("reason", "needs at least " + MIN_DRIFT_WINDOW + " predictions in the window (has " + s.size() + ")");
        } else {
            Drift.Result d = drift(model, window.items(model.version()));
            drift.put("score", d.mmd2());
            drift.put("p_value", d.pValue());
            drift.put("alarm", d.alarm());
            drift.put("test", "MMD, Gaussian kernel (median width " + String.format(java.util.Locale.ROOT, "%.4g", d.bandwidth())
                    + "), " + d.permutations() + " permutations, alarm below p = " + DRIFT_ALPHA);
            drift.put("reference_size", ref.pooled().length);
        }
        ObjectNode mix = out.putObject("class_mix");
        s.classMix().forEach(mix::put);
        if (ref != null) {
            ObjectNode refMix = out.putObject("reference_class_mix");
            ref.classMix().forEach(refMix::put);
            if (s.size() > 0) out.put("class_mix_psi", Drift.populationStabilityIndex(ref.classMix(), s.classMix()));
        }
        out.put("confidence", s.confidence());
        out.put("mean_tokens", s.meanTokens());
        out.put("unknown_token_rate", s.unknownTokenRate());
        if (ref != null) {
            ObjectNode r = out.putObject("reference");
            r.put("confidence", ref.confidence());
            r.put("mean_tokens", ref.meanTokens());
            r.put("unknown_token_rate", ref.unknownTokenRate());
        }
        ObjectNode edge = out.putObject("edge_cases");
        edge.put("low_confidence", s.lowConfidence());
        edge.put("low_confidence_below", settings.lowConfidence());
        edge.put("feedback_disagreements", disagreements);
        json(ctx, 200, out);
    }

    /** Every {@code window} predictions, the window's drift test and summary go to the log, off the request's thread. */
    private void closeWindow(String version, long served) {
        ServedModel model = batcher.current();
        if (!model.version().equals(version)) return;
        monitorThread.execute(() -> {
            try {
                List<RecentWindow.Item> items = window.items(version);
                TrafficSummary s = window.summary(version, model.predictor().labels());
                Drift.Result d = model.reference() != null && items.size() >= MIN_DRIFT_WINDOW ? drift(model, items) : null;
                log.record(new PredictionLog.Window(System.currentTimeMillis(), version, served, s.size(), d == null ? null : d.mmd2(),
                        d == null ? null : d.pValue(), d == null ? null : d.alarm(), JSON.writeValueAsString(s.classMix()),
                        model.reference() == null ? null : Drift.populationStabilityIndex(model.reference().classMix(), s.classMix()),
                        s.confidence(), s.meanTokens(), s.unknownTokenRate()));
                if (d != null && d.alarm()) {
                    System.err.printf("attune serve: drift alarm for %s after %d predictions (MMD² %.4g, p = %.3g)%n", version, served, d.mmd2(), d.pValue());
                }
            } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
                System.err.println("attune serve: monitoring window: " + e);
            }
        });
    }

    /** The drift test of {@code items} against the model's reference; the Prometheus gauges follow the latest result. */
    private Drift.Result drift(ServedModel model, List<RecentWindow.Item> items) {
        float[][] vectors = new float[items.size()][];
        for (int i = 0; i < vectors.length; i++) vectors[i] = items.get(i).embedding();
        Drift.Result d = Drift.mmd(model.reference().pooled(), vectors, DRIFT_PERMUTATIONS, 42, DRIFT_ALPHA);
        metrics.driftScore.set(d.mmd2());
        metrics.driftAlarm.set(d.alarm() ? 1 : 0);
        return d;
    }

    // ---- request checks and responses ---------------------------------------------------------------------

    private void authorize(Context ctx) {
        if (settings.token() == null) return;
        String header = ctx.header("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, "unauthorized", "this endpoint needs an Authorization: Bearer token");
        }
        if (!java.security.MessageDigest.isEqual(header.substring(7).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                settings.token().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            throw new ApiError(403, "forbidden", "the bearer token is not valid");
        }
    }

    private JsonNode jsonBody(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "send the body as application/json (got " + (type == null ? "no content type" : type) + ")");
        }
        if (ctx.contentLength() > settings.maxBodyBytes()) {
            throw new ApiError(413, "body_too_large", "the request body is larger than " + settings.maxBodyBytes() + " bytes");
        }
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > settings.maxBodyBytes()) {
            throw new ApiError(413, "body_too_large", "the request body is larger than " + settings.maxBodyBytes() + " bytes");
        }
        if (bytes.length == 0) throw new ApiError(400, "empty_body", "the request body is empty: send a JSON object");
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "malformed_json", "the body is not valid JSON: " + dev.attune.AttuneException.firstLine(e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw new ApiError(400, "malformed_json", "the body could not be read as JSON");
        }
        if (node == null || !node.isObject()) throw new ApiError(400, "not_an_object", "the body must be a JSON object, not " + kind(node));
        return node;
    }

    private static int parseLimit(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 10_000) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiError(400, "bad_limit", "limit must be a whole number from 1 to 10000 (got '" + value + "')");
    }

    private static String requiredString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) throw new ApiError(400, "missing_" + field, "the body needs \"" + field + "\": a string");
        if (!v.isTextual() || v.asText().isEmpty()) throw new ApiError(400, field + "_not_a_string", "\"" + field + "\" must be a non-empty string, not " + kind(v));
        return v.asText();
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) return "nothing";
        return switch (n.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void json(Context ctx, int status, Object body) throws com.fasterxml.jackson.core.JsonProcessingException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    }

    private static void error(Context ctx, int status, String code, String message) {
        try {
            json(ctx, status, Map.of("error", Map.of("status", status, "code", code, "message", message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.status(status).result("{\"error\": {\"status\": " + status + "}}");
        }
    }

    private void observe(Context ctx) {
        Long start = ctx.attribute("start");
        String endpoint = switch (ctx.path()) {
            case "/v1/predict", "/v1/feedback", "/v1/monitor", "/health", "/ready", "/metrics", "/admin/reload", "/admin/feedback", "/admin/edge-cases" -> ctx.path();
            default -> "other";
        };
        metrics.requests.labelValues(endpoint, String.valueOf(ctx.statusCode())).inc();
        if (start != null) metrics.latency.labelValues(endpoint).observe((System.nanoTime() - start) / 1e9);
    }

    /** Stops accepting requests, answers those queued, then writes the log's remaining rows. */
    @Override
    public void close() {
        app.stop();
        batcher.close();
        monitorThread.shutdown();
        try {
            monitorThread.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
