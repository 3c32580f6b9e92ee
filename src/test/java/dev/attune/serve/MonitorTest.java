package dev.attune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.Predictor;
import dev.attune.monitor.Reference;
import dev.attune.report.MonitorReport;
import dev.attune.train.SyntheticTopics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift monitoring end to end with the real minilm-l6 encoder: a reference of sports and weather sentences written
 * beside the model, traffic of new sports and weather sentences (no alarm), then cooking and finance sentences (an
 * alarm), each closed window in the log, and the history drawn as an HTML page.
 */
class MonitorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void aTopicShiftRaisesTheAlarmAndSameTopicTrafficDoesNot() throws Exception {
        Path model = ServerTest.classifier(dir.resolve("model"), 3);
        try (Predictor p = Predictor.load(model.toString(), 64, 16, false)) {
            Reference.sample(p, SyntheticTopics.sentences(120, 1, 0, 1), 120, 7, 64, "sports and weather").write(model);
        }
        Path db = dir.resolve("log.duckdb");
        var d = Server.Settings.defaults();
        var settings = new Server.Settings("127.0.0.1", 0, 64, 1 << 20, 16, 5, d.maxQueued(), 40, d.lowConfidence(), null);
        try (Server server = Server.start(settings, "m-1", Predictor.load(model.toString(), 64, 16, false), PredictionLog.open(db.toString()))) {
            HttpClient http = HttpClient.newHttpClient();
            JsonNode none = monitor(http, server);
            assertNull(none.path("drift").path("score").numberValue(), "an empty window has no drift score: " + none);

            send(http, server, SyntheticTopics.sentences(40, 2, 0, 1));
            JsonNode same = monitor(http, server);
            assertEquals(40, same.path("window").asInt());
            assertFalse(same.path("drift").path("alarm").asBoolean(true), "same topics: " + same);
            assertTrue(same.path("drift").path("p_value").asDouble() >= 0.01, same.toString());

            send(http, server, SyntheticTopics.sentences(40, 3, 2, 3));
            JsonNode shifted = monitor(http, server);
            assertTrue(shifted.path("drift").path("alarm").asBoolean(false), "cooking and finance against sports and weather: " + shifted);
            assertEquals(1.0 / 201, shifted.path("drift").path("p_value").asDouble(), 1e-12, "no permutation reaches the observed statistic");
        }
        try (PredictionLog log = PredictionLog.open(db.toString())) {
            var windows = log.windows();
            assertEquals(2, windows.size(), "one row per closed window of 40");
            assertEquals(List.of(40L, 80L), windows.stream().map(PredictionLog.Window::served).toList());
            assertEquals(List.of(false, true), windows.stream().map(PredictionLog.Window::alarm).toList());
            assertEquals(80, log.counts()[0]);
            Path html = dir.resolve("monitor.html");
            MonitorReport.write(html, db.toString(), windows);
            assertTrue(Files.readString(html).contains("2 windows, 1 drift alarms"));
            String browser = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
            Assumptions.assumeTrue(browser != null, "Debian's chromium is not installed (.ci/run installs it)");
            Process b = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--user-data-dir=" + dir.resolve("profile"), "--virtual-time-budget=5000", "--dump-dom", html.toUri().toString())
                    .redirectError(dir.resolve("chromium.log").toFile()).start();
            String dom = new String(b.getInputStream().readAllBytes());
            b.waitFor();
            assertTrue(dom.contains("data-charts=\"3\""), "three charts drawn, no script error: " + dom.substring(0, Math.min(400, dom.length())));
            assertFalse(dom.contains("data-errors"), "script errors");
        }
    }

    static void send(HttpClient http, Server server, List<String> texts) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/predict"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("texts", texts)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    static JsonNode monitor(HttpClient http, Server server) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/monitor")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }
}
