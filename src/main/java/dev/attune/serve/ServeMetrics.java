package dev.attune.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The server's Prometheus metrics, in their own registry, written in the Prometheus text format. */
final class ServeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder().name("attune_http_requests_total").help("HTTP requests by endpoint and status code")
            .labelNames("endpoint", "status").register(registry);
    final Histogram latency = Histogram.builder().name("attune_http_request_duration_seconds").help("Request latency by endpoint")
            .labelNames("endpoint").classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    final Histogram batchSize = Histogram.builder().name("attune_batch_size").help("Texts per forward pass of the micro-batcher")
            .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
    final Counter texts = Counter.builder().name("attune_texts_predicted_total").help("Texts classified").register(registry);
    final Counter feedback = Counter.builder().name("attune_feedback_total").help("Feedback labels received, by agreement with the prediction")
            .labelNames("agrees").register(registry);
    final Gauge modelVersion = Gauge.builder().name("attune_model_info").help("1 for the model version in service")
            .labelNames("version").register(registry);
    final Gauge driftScore = Gauge.builder().name("attune_drift_score").help("Maximum mean discrepancy of the recent window to the reference sample")
            .register(registry);
    final Gauge driftAlarm = Gauge.builder().name("attune_drift_alarm").help("1 while the drift test rejects the reference distribution")
            .register(registry);

    void serving(String previous, String version) {
        if (previous != null) modelVersion.remove(previous);
        modelVersion.labelValues(version).set(1);
    }

    String scrape() {
        var out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
