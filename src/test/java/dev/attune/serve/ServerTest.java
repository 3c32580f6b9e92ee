package dev.attune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.Predictor;
import dev.attune.model.HeadConfig;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP server on loopback with a two-class head over the real minilm-l6 encoder: answers equal the offline
 * predictor's, every refusal is a JSON error with its status, feedback and predictions reach the database, and a
 * model swap under concurrent load fails no request.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "test-token";
    static final List<String> TEXTS = List.of("Win a free cruise now, click here!!!", "Lunch on Thursday? The usual place at noon.",
            "Your parcel has shipped and arrives Monday.", "URGENT: verify your account password today", "Photos from the weekend are in the shared album.");

    @TempDir
    static Path dir;
    static Path modelA, modelB;
    static Server server;
    static PredictionLog log;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        modelA = classifier(dir.resolve("a"), 1);
        modelB = classifier(dir.resolve("b"), 2);
        log = PredictionLog.open(dir.resolve("log/predictions.duckdb").toString());
        var d = Server.Settings.defaults();
        var settings = new Server.Settings("127.0.0.1", 0, 8, 4096, 16, 5, d.maxQueued(), d.window(), d.lowConfidence(), TOKEN);
        server = Server.start(settings, "a-1", Predictor.load(modelA.toString(), 64, 16, false), log);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Path classifier(Path out, long seed) throws Exception {
        try (Pretrained p = Pretrained.load("minilm-l6")) {
            var clf = SequenceClassifier.create(p.model(), new HeadConfig("mean", 0, "gelu", 0.1), List.of("ham", "spam"), seed);
            Pretrained.save(clf, p.tokenizer(), out);
        }
        return out;
    }

    static HttpResponse<String> post(String path, String contentType, String body, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode predict(List<String> texts) throws Exception {
        var r = post("/v1/predict", "application/json", JSON.writeValueAsString(java.util.Map.of("texts", texts)), null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void answersEqualTheOfflinePredictorsAndReachTheLog() throws Exception {
        JsonNode out = predict(TEXTS);
        assertEquals("a-1", out.path("model_version").asText());
        assertEquals(TEXTS.size(), out.path("predictions").size());
        try (Predictor offline = Predictor.load(modelA.toString(), 64, 16, false)) {
            var expected = offline.predict(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                JsonNode p = out.path("predictions").get(i);
                assertEquals(expected.get(i).label(), p.path("label").asText());
                for (String label : List.of("ham", "spam")) {
                    // the same texts in one batch: the same forward pass, to float rounding of the JSON
                    assertEquals(expected.get(i).probabilities().get(label), p.path("probabilities").path(label).asDouble(), 1e-6);
                }
            }
        }
        String id = out.path("predictions").get(0).path("id").asText();
        assertEquals(out.path("predictions").get(0).path("label").asText(), log.predictedLabel(id));
    }

    @Test
    void concurrentClientsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        JsonNode alone = predict(TEXTS);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int k = i % TEXTS.size();
                futures.add(pool.submit(() -> predict(List.of(TEXTS.get(k)))));
            }
            for (int i = 0; i < futures.size(); i++) {
                JsonNode p = futures.get(i).get().path("predictions").get(0);
                JsonNode want = alone.path("predictions").get(i % TEXTS.size());
                assertEquals(want.path("label").asText(), p.path("label").asText());
                // batched with other texts, padded differently: equal to float rounding
                assertEquals(want.path("probabilities").path("spam").asDouble(), p.path("probabilities").path("spam").asDouble(), 1e-4);
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = get("/metrics").body();
        double batches = sample(metrics, "attune_batch_size_count"), texts = sample(metrics, "attune_batch_size_sum");
        assertTrue(batches < texts, "some forward passes served more than one text: " + batches + " passes for " + texts + " texts");
    }

    static double sample(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst().orElseThrow();
    }

    @Test
    void feedbackIsCheckedRecordedAndCounted() throws Exception {
        JsonNode p = predict(List.of(TEXTS.get(1))).path("predictions").get(0);
        String other = p.path("label").asText().equals("ham") ? "spam" : "ham";
        var r = post("/v1/feedback", "application/json", "{\"id\": \"" + p.path("id").asText() + "\", \"label\": \"" + other + "\"}", TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(JSON.readTree(r.body()).path("agrees").asBoolean(true));
        long[] before = log.counts();
        assertTrue(before[1] >= 1, "the feedback row is in the database");
        var edge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/admin/edge-cases?limit=50"))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, edge.statusCode(), edge.body());
        boolean listed = false;
        for (JsonNode c : JSON.readTree(edge.body()).path("edge_cases")) {
            if (c.path("id").asText().equals(p.path("id").asText())) listed = c.path("feedback").asText().equals(other);
        }
        assertTrue(listed, "the disagreeing feedback is kept as an edge case: " + edge.body());
        JsonNode monitor = JSON.readTree(get("/v1/monitor").body());
        assertTrue(monitor.path("window").asInt() >= 1);
        assertTrue(monitor.path("edge_cases").path("feedback_disagreements").asInt() >= 1);
        assertEquals(1.0, monitor.path("class_mix").path("ham").asDouble() + monitor.path("class_mix").path("spam").asDouble(), 1e-9);
    }

    @Test
    void healthReadinessAndPrometheusMetrics() throws Exception {
        assertEquals(200, get("/health").statusCode());
        JsonNode ready = JSON.readTree(get("/ready").body());
        assertEquals("ready", ready.path("status").asText());
        predict(List.of("hello"));
        var m = get("/metrics");
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), m.headers().toString());
        assertTrue(m.body().contains("attune_http_requests_total{endpoint=\"/v1/predict\",status=\"200\"}"), m.body());
        assertTrue(m.body().contains("attune_model_info{version=\"" + server.modelVersion() + "\"} 1"), m.body());
        assertTrue(m.body().contains("attune_http_request_duration_seconds_bucket"), m.body());
    }

    static Stream<Arguments> badRequests() {
        String ok = "application/json";
        return Stream.of(
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": [\"a\"", null, 400, "malformed_json"),
                Arguments.of("POST", "/v1/predict", ok, "", null, 400, "empty_body"),
                Arguments.of("POST", "/v1/predict", ok, "[\"a\"]", null, 400, "not_an_object"),
                Arguments.of("POST", "/v1/predict", ok, "{}", null, 400, "missing_texts"),
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": \"a\"}", null, 400, "texts_not_a_list"),
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": []}", null, 400, "empty_texts"),
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": [\"a\", 3]}", null, 400, "text_not_a_string"),
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": [null]}", null, 400, "text_not_a_string"),
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}", null, 413, "too_many_texts"),
                Arguments.of("POST", "/v1/predict", ok, "{\"texts\": [\"" + "x".repeat(5000) + "\"]}", null, 413, "body_too_large"),
                Arguments.of("POST", "/v1/predict", "text/plain", "{\"texts\": [\"a\"]}", null, 415, "unsupported_media_type"),
                Arguments.of("POST", "/v1/predict", null, "{\"texts\": [\"a\"]}", null, 415, "unsupported_media_type"),
                Arguments.of("GET", "/v1/predict", null, null, null, 405, "method_not_allowed"),
                Arguments.of("GET", "/v1/nothing-here", null, null, null, 404, "not_found"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"id\": \"x\", \"label\": \"ham\"}", null, 401, "unauthorized"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"id\": \"x\", \"label\": \"ham\"}", "wrong", 403, "forbidden"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"label\": \"ham\"}", TOKEN, 400, "missing_id"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"id\": 7, \"label\": \"ham\"}", TOKEN, 400, "id_not_a_string"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"id\": \"x\", \"label\": \"eggs\"}", TOKEN, 400, "unknown_label"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"id\": \"no-such-id\", \"label\": \"ham\"}", TOKEN, 404, "unknown_id"),
                Arguments.of("POST", "/v1/feedback", ok, "{\"id\": \"x\", ", TOKEN, 400, "malformed_json"),
                Arguments.of("GET", "/admin/edge-cases", null, null, null, 401, "unauthorized"));
    }

    @ParameterizedTest(name = "{0} {1} {3} -> {5} {6}")
    @MethodSource("badRequests")
    void badRequestsGetAJsonErrorAndTheServerKeepsServing(String method, String path, String type, String body, String token, int status, String code) throws Exception {
        HttpResponse<String> r = method.equals("GET") ? get(path) : post(path, type, body, token);
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode err = JSON.readTree(r.body()).path("error");
        assertEquals(code, err.path("code").asText(), r.body());
        assertEquals(status, err.path("status").asInt());
        assertFalse(err.path("message").asText().isBlank());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), "no stack trace: " + r.body());
        assertEquals(1, predict(List.of("still serving")).path("predictions").size());
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: the other tests compare with the first model
    void aSwapUnderConcurrentLoadFailsNoRequest() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                futures.add(pool.submit(() -> predict(List.of(TEXTS.get(2)))));
                if (i == 30) {
                    // promoted in a registry: the watcher loads it beside the model in service and swaps between batches
                    Registry registry = Registry.open(dir.resolve("registry"));
                    registry.promote(registry.add(modelB));
                    try (var watcher = new RegistryWatcher(registry, p -> Predictor.load(p.toString(), 64, 16, false), server, 3_600_000)) {
                        assertEquals("v1", watcher.check());
                    }
                }
            }
            java.util.Set<String> versions = new java.util.TreeSet<>();
            for (Future<JsonNode> f : futures) versions.add(f.get().path("model_version").asText()); // predict() asserts 200
            assertEquals(java.util.Set.of("a-1", "v1"), versions);
            assertEquals("v1", predict(List.of("after")).path("model_version").asText());
            String metrics = get("/metrics").body();
            assertTrue(metrics.contains("attune_model_info{version=\"v1\"} 1") && !metrics.contains("version=\"a-1\""), metrics);
        } finally {
            pool.shutdownNow();
        }
    }
}
