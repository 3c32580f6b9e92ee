package dev.attune.cli;

import dev.attune.report.MonitorReport;
import dev.attune.serve.PredictionLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "The monitoring history of a prediction log: every closed window's drift test, class mix and confidence, "
                + "as a table and optionally an HTML page with charts. A DuckDB file is locked by a running server: read a copy, or use PostgreSQL.")
final class MonitorCommand implements Callable<Integer> {
    @Option(names = "--db", required = true, description = "The prediction log: a DuckDB file or a jdbc:postgresql: URL.")
    String db;

    @Option(names = "--html", description = "Also write this HTML page with charts.")
    Path html;

    @Override
    public Integer call() throws Exception {
        if (!db.startsWith("jdbc:") && !java.nio.file.Files.isRegularFile(Path.of(db))) {
            throw new dev.attune.AttuneException("--db: " + db + " does not exist");
        }
        try (PredictionLog log = PredictionLog.open(db)) {
            var windows = log.windows();
            System.out.printf("%-24s %-10s %10s %8s %10s %6s  %s%n", "closed", "version", "served", "window", "p-value", "conf.", "class mix");
            for (var w : windows) {
                System.out.printf("%-24s %-10s %10d %8d %10s %6.3f  %s%s%n", java.time.Instant.ofEpochMilli(w.timeMillis()), w.modelVersion(), w.served(), w.size(),
                        w.pValue() == null ? "-" : String.format("%.3g", w.pValue()), w.confidence(), w.classMixJson(), Boolean.TRUE.equals(w.alarm()) ? "  DRIFT" : "");
            }
            long[] counts = log.counts();
            System.out.printf("%d predictions, %d feedback labels, %d windows%n", counts[0], counts[1], windows.size());
            if (html != null) {
                MonitorReport.write(html, db, windows);
                System.out.println("wrote " + html);
            }
        }
        return 0;
    }
}
