package dev.attune.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.serve.PredictionLog;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The monitoring history of a prediction log as one self-contained HTML page: drift (MMD² and its p-value), the class
 * mix and the mean confidence of every completed window, with the model version that served it (uPlot, inlined).
 */
public final class MonitorReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MonitorReport() {}

    public static void write(Path file, String source, List<PredictionLog.Window> windows) throws IOException {
        ObjectNode data = JSON.createObjectNode();
        ArrayNode rows = data.putArray("windows");
        Set<String> labels = new LinkedHashSet<>();
        for (PredictionLog.Window w : windows) {
            ObjectNode r = rows.addObject();
            r.put("served", w.served());
            r.put("version", w.modelVersion());
            r.put("time", Instant.ofEpochMilli(w.timeMillis()).toString());
            if (w.mmd2() != null) r.put("mmd2", w.mmd2());
            if (w.pValue() != null) r.put("p", w.pValue());
            r.put("alarm", Boolean.TRUE.equals(w.alarm()));
            r.put("confidence", w.confidence());
            if (w.classMixPsi() != null) r.put("psi", w.classMixPsi());
            JsonNode mix = JSON.readTree(w.classMixJson());
            r.set("mix", mix);
            mix.fieldNames().forEachRemaining(labels::add);
        }
        ArrayNode l = data.putArray("labels");
        labels.forEach(l::add);
        long alarms = windows.stream().filter(w -> Boolean.TRUE.equals(w.alarm())).count();
        StringBuilder table = new StringBuilder();
        for (PredictionLog.Window w : windows) {
            table.append("<tr><td>").append(Instant.ofEpochMilli(w.timeMillis())).append("</td><td>").append(esc(w.modelVersion()))
                    .append("</td><td>").append(w.served()).append("</td><td>").append(w.pValue() == null ? "–" : String.format("%.3g", w.pValue()))
                    .append("</td><td>").append(Boolean.TRUE.equals(w.alarm()) ? "<b>alarm</b>" : "").append("</td><td>")
                    .append(String.format("%.3f", w.confidence())).append("</td><td>").append(esc(w.classMixJson())).append("</td></tr>\n");
        }
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>attune monitor: %s</title>
                <style>%s
                body {font-family: system-ui, sans-serif; margin: 20px; color: #222} table {border-collapse: collapse; font-size: 13px}
                td, th {border: 1px solid #ccc; padding: 3px 8px; text-align: left} h2 {margin-top: 28px}</style></head>
                <body>
                <h1>Monitoring: %s</h1>
                <p>%d windows, %d drift alarms. Each window is the most recent predictions of one model version when it closed;
                drift is the maximum mean discrepancy of their pooled vectors to the reference sample stored beside the model,
                with a permutation p-value (alarm below 0.01).</p>
                <h2>Drift</h2><div id="drift"></div>
                <h2>Class mix</h2><div id="mix"></div>
                <h2>Mean confidence</h2><div id="confidence"></div>
                <h2>Windows</h2>
                <table><tr><th>closed</th><th>version</th><th>predictions served</th><th>p-value</th><th></th><th>confidence</th><th>class mix</th></tr>
                %s</table>
                <script>%s</script>
                <script>const DATA = %s;
                %s</script>
                </body></html>
                """.formatted(esc(source), CompareReport.resource("uPlot.min.css"), esc(source), windows.size(), alarms, table,
                CompareReport.resource("uPlot.iife.min.js"), JSON.writeValueAsString(data), CHARTS);
        RunFiles.writeAtomically(file, html);
    }

    private static final String CHARTS = """
            const errors = [];
            window.addEventListener('error', e => { errors.push(String(e.message)); document.body.dataset.errors = errors.join(' | '); });
            const xs = DATA.windows.map(w => w.served);
            function draw(id, series, yLabel, log) {
              if (xs.length === 0) { document.getElementById(id).textContent = 'no windows yet'; return 0; }
              new uPlot({width: Math.min(1150, window.innerWidth - 40), height: 300, scales: {x: {time: false}, y: log ? {distr: 3, log: 10} : {}},
                axes: [{label: 'predictions served'}, {label: yLabel, size: 70}],
                series: [{label: 'served'}, ...series.map(s => ({label: s.name, stroke: s.color, width: 2, spanGaps: false, points: {show: true}}))]},
                [xs, ...series.map(s => s.values)], document.getElementById(id));
              return 1;
            }
            let drawn = 0;
            drawn += draw('drift', [{name: 'p-value', color: '#d62728', values: DATA.windows.map(w => w.p ?? null)},
                                    {name: 'alarm level 0.01', color: '#999', values: DATA.windows.map(() => 0.01)}], 'p-value', true);
            drawn += draw('mix', DATA.labels.map((l, i) => ({name: l, color: 'hsl(' + Math.round(300 * i / Math.max(1, DATA.labels.length - 1)) + ',70%,45%)',
                                    values: DATA.windows.map(w => w.mix[l] ?? 0)})), 'fraction predicted', false);
            drawn += draw('confidence', [{name: 'mean top probability', color: '#2b6cd6', values: DATA.windows.map(w => w.confidence)}], 'confidence', false);
            document.body.dataset.charts = String(drawn);
            """;

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
