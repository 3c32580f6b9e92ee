package dev.attune.serve;

import dev.attune.AttuneException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every prediction and every feedback label, in a database: an embedded DuckDB file by default, or PostgreSQL through
 * a JDBC URL so that several servers share one store. Rows are written by one background thread in batches, so a
 * request never waits for the disk; {@link #close} writes what is still queued.
 */
public final class PredictionLog implements AutoCloseable {
    /** One served prediction; {@code embedding} is the pooled vector, stored compactly ({@link #quantize}). */
    public record Prediction(String id, long timeMillis, String modelVersion, String text, String label,
                             String probabilitiesJson, double confidence, int tokens, int unknownTokens, float[] embedding) {}

    /** One true label sent for an earlier prediction. */
    public record Feedback(String id, long timeMillis, String label) {}

    /**
     * One completed monitoring window: the model version, how many predictions it had served when the window closed,
     * the drift test (null fields when the model has no reference), the class mix (JSON), its PSI and mean confidence.
     */
    public record Window(long timeMillis, String modelVersion, long served, int size, Double mmd2, Double pValue, Boolean alarm,
                         String classMixJson, Double classMixPsi, double confidence, double meanTokens, double unknownTokenRate) {}

    static final String DUCKDB_MEMORY_LIMIT = System.getProperty("attune.duckdb.memory_limit", "16MB");
    private final Connection db;
    private final String target;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    private PredictionLog(Connection db, String target, boolean postgres) throws SQLException {
        this.db = db;
        this.target = target;
        String blob = postgres ? "BYTEA" : "BLOB";
        try (Statement s = db.createStatement()) {
            // DuckDB caches the blocks it wrote up to 80% of the machine's memory: a server's log would grow its RSS by
            // about 3 MB per 1,000 predictions; a fixed budget keeps it flat
            if (!postgres) s.execute("SET memory_limit = '" + DUCKDB_MEMORY_LIMIT + "'");
            // ids are random UUIDs, unique by construction; DuckDB keeps a key index wholly in memory (its RSS grew by
            // about 2 MB per 1,000 rows with one), so only PostgreSQL, whose indexes live on disk, gets the key
            s.execute("CREATE TABLE IF NOT EXISTS predictions (id VARCHAR(64)" + (postgres ? " PRIMARY KEY" : "") + ", ts TIMESTAMP NOT NULL, model_version VARCHAR(200) NOT NULL, "
                    + "text TEXT NOT NULL, label VARCHAR(200) NOT NULL, probabilities TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL, "
                    + "tokens INTEGER NOT NULL, unknown_tokens INTEGER NOT NULL, embedding " + blob + ")");
            s.execute("CREATE TABLE IF NOT EXISTS feedback (id VARCHAR(64) NOT NULL, ts TIMESTAMP NOT NULL, label VARCHAR(200) NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS monitor_windows (ts TIMESTAMP NOT NULL, model_version VARCHAR(200) NOT NULL, served BIGINT NOT NULL, "
                    + "size INTEGER NOT NULL, mmd2 DOUBLE PRECISION, p_value DOUBLE PRECISION, alarm BOOLEAN, class_mix TEXT NOT NULL, "
                    + "class_mix_psi DOUBLE PRECISION, confidence DOUBLE PRECISION NOT NULL, mean_tokens DOUBLE PRECISION NOT NULL, "
                    + "unknown_token_rate DOUBLE PRECISION NOT NULL)");
        }
        db.setAutoCommit(false);
        this.writer = new Thread(this::write, "attune-prediction-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens (creating if needed) the log at {@code target}: a {@code jdbc:postgresql:} or {@code jdbc:duckdb:} URL, or
     * a file path, which means DuckDB.
     */
    public static PredictionLog open(String target) {
        String url = target.startsWith("jdbc:") ? target : "jdbc:duckdb:" + Path.of(target).toAbsolutePath();
        boolean postgres = url.startsWith("jdbc:postgresql:");
        if (!postgres && !url.startsWith("jdbc:duckdb:")) {
            throw new AttuneException("--db: '" + target + "' is neither a file path, a jdbc:duckdb: URL nor a jdbc:postgresql: URL");
        }
        try {
            if (!postgres) {
                Path file = Path.of(url.substring("jdbc:duckdb:".length()));
                if (file.getParent() != null) Files.createDirectories(file.getParent());
            }
            return new PredictionLog(DriverManager.getConnection(url), redact(target), postgres);
        } catch (SQLException | java.io.IOException e) {
            if (!postgres && String.valueOf(e.getMessage()).contains("Could not set lock")) {
                throw new AttuneException("--db " + redact(target) + ": the DuckDB file is locked by another process (a running server?); "
                        + "read a copy, or let servers and readers share PostgreSQL (--db jdbc:postgresql://...)", e);
            }
            throw new AttuneException("--db " + redact(target) + ": cannot open the prediction log (" + AttuneException.firstLine(e.getMessage()) + ")", e);
        }
    }

    private static String redact(String target) {
        return target.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public String target() {
        return target;
    }

    public void record(Prediction p) {
        queue.add(p);
    }

    public void record(Feedback f) {
        queue.add(f);
    }

    public void record(Window w) {
        queue.add(w);
    }

    /** Every monitoring window recorded, oldest first (after writing what is queued). */
    public java.util.List<Window> windows() {
        flush();
        synchronized (db) {
            try (Statement s = db.createStatement();
                 ResultSet r = s.executeQuery("SELECT ts, model_version, served, size, mmd2, p_value, alarm, class_mix, class_mix_psi, confidence, "
                         + "mean_tokens, unknown_token_rate FROM monitor_windows ORDER BY ts, served")) {
                List<Window> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new Window(r.getTimestamp(1).getTime(), r.getString(2), r.getLong(3), r.getInt(4), (Double) nullable(r, 5),
                            (Double) nullable(r, 6), r.getObject(7) == null ? null : r.getBoolean(7), r.getString(8), (Double) nullable(r, 9),
                            r.getDouble(10), r.getDouble(11), r.getDouble(12)));
                }
                return out;
            } catch (SQLException e) {
                throw new AttuneException("prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()), e);
            }
        }
    }

    private static Object nullable(ResultSet r, int column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? null : v;
    }

    /** The label predicted for {@code id}, or null when the log has no such prediction (after writing what is queued). */
    public String predictedLabel(String id) {
        flush();
        synchronized (db) {
            try (PreparedStatement s = db.prepareStatement("SELECT label FROM predictions WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? r.getString(1) : null;
                }
            } catch (SQLException e) {
                throw new AttuneException("prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()), e);
            }
        }
    }

    /** Row counts: predictions and feedback, after writing what is queued. */
    public long[] counts() {
        flush();
        synchronized (db) {
            try (Statement s = db.createStatement();
                 ResultSet a = s.executeQuery("SELECT (SELECT COUNT(*) FROM predictions), (SELECT COUNT(*) FROM feedback)")) {
                a.next();
                return new long[] {a.getLong(1), a.getLong(2)};
            } catch (SQLException e) {
                throw new AttuneException("prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()), e);
            }
        }
    }

    /** A served text with the true label its feedback gave (the latest, when one was sent twice) and the label predicted. */
    public record Labelled(String id, String text, String label, String predicted) {}

    /** Every prediction that received feedback, in the order of its latest feedback (after writing what is queued). */
    public List<Labelled> labelledFeedback() {
        flush();
        synchronized (db) {
            try (Statement s = db.createStatement();
                 ResultSet r = s.executeQuery("SELECT p.id, p.text, f.label, p.label FROM feedback f JOIN predictions p ON p.id = f.id ORDER BY f.ts")) {
                java.util.LinkedHashMap<String, Labelled> latest = new java.util.LinkedHashMap<>();
                while (r.next()) {
                    latest.remove(r.getString(1));
                    latest.put(r.getString(1), new Labelled(r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
                }
                return new ArrayList<>(latest.values());
            } catch (SQLException e) {
                throw new AttuneException("prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()), e);
            }
        }
    }

    /** A prediction worth a person's look: low confidence, or feedback that disagrees (then {@code feedback} is set). */
    public record EdgeCase(String id, long timeMillis, String modelVersion, String text, String label, double confidence, String feedback) {}

    /** The most recent edge cases, newest first: confidence below {@code lowConfidence}, or a disagreeing feedback label. */
    public List<EdgeCase> edgeCases(double lowConfidence, int limit) {
        flush();
        synchronized (db) {
            try (PreparedStatement s = db.prepareStatement("SELECT p.id, p.ts, p.model_version, p.text, p.label, p.confidence, f.label "
                    + "FROM predictions p LEFT JOIN feedback f ON f.id = p.id WHERE p.confidence < ? OR (f.label IS NOT NULL AND f.label <> p.label) "
                    + "ORDER BY p.ts DESC, p.id LIMIT ?")) {
                s.setDouble(1, lowConfidence);
                s.setInt(2, limit);
                try (ResultSet r = s.executeQuery()) {
                    List<EdgeCase> out = new ArrayList<>();
                    while (r.next()) {
                        out.add(new EdgeCase(r.getString(1), r.getTimestamp(2).getTime(), r.getString(3), r.getString(4), r.getString(5), r.getDouble(6), r.getString(7)));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw new AttuneException("prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()), e);
            }
        }
    }

    /** Waits until every row queued so far is written. */
    public void flush() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!queue.isEmpty() && writer.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (db) {
            // the writer holds this lock while a batch is in flight: taking it means that batch is committed
        }
    }

    private void write() {
        List<Object> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Object first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                synchronized (db) {
                    batch.add(first);
                    queue.drainTo(batch, 4095);
                    insert(batch);
                    batch.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException e) {
                batch.clear();
                try {
                    db.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the next batch reports it again
                }
                System.err.println("attune serve: prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()));
            }
        }
    }

    private void insert(List<Object> rows) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement f = db.prepareStatement("INSERT INTO feedback VALUES (?, ?, ?)");
             PreparedStatement w = db.prepareStatement("INSERT INTO monitor_windows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int np = 0, nf = 0, nw = 0;
            for (Object row : rows) {
                if (row instanceof Prediction r) {
                    p.setString(1, r.id());
                    p.setTimestamp(2, new Timestamp(r.timeMillis()));
                    p.setString(3, r.modelVersion());
                    p.setString(4, r.text());
                    p.setString(5, r.label());
                    p.setString(6, r.probabilitiesJson());
                    p.setDouble(7, r.confidence());
                    p.setInt(8, r.tokens());
                    p.setInt(9, r.unknownTokens());
                    p.setBytes(10, r.embedding() == null ? null : quantize(r.embedding()));
                    p.addBatch();
                    np++;
                } else if (row instanceof Feedback r) {
                    f.setString(1, r.id());
                    f.setTimestamp(2, new Timestamp(r.timeMillis()));
                    f.setString(3, r.label());
                    f.addBatch();
                    nf++;
                } else if (row instanceof Window r) {
                    w.setTimestamp(1, new Timestamp(r.timeMillis()));
                    w.setString(2, r.modelVersion());
                    w.setLong(3, r.served());
                    w.setInt(4, r.size());
                    w.setObject(5, r.mmd2(), java.sql.Types.DOUBLE);
                    w.setObject(6, r.pValue(), java.sql.Types.DOUBLE);
                    w.setObject(7, r.alarm(), java.sql.Types.BOOLEAN);
                    w.setString(8, r.classMixJson());
                    w.setObject(9, r.classMixPsi(), java.sql.Types.DOUBLE);
                    w.setDouble(10, r.confidence());
                    w.setDouble(11, r.meanTokens());
                    w.setDouble(12, r.unknownTokenRate());
                    w.addBatch();
                    nw++;
                }
            }
            if (nw > 0) w.executeBatch();
            if (np > 0) p.executeBatch();
            if (nf > 0) f.executeBatch();
            db.commit();
        }
    }

    /** A vector as its largest magnitude (float32, little-endian) and one signed byte per value scaled by it: 4 + n bytes. */
    public static byte[] quantize(float[] v) {
        float max = 0;
        for (float x : v) max = Math.max(max, Math.abs(x));
        ByteBuffer b = ByteBuffer.allocate(4 + v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(max);
        for (float x : v) b.put((byte) (max == 0 ? 0 : Math.round(x / max * 127)));
        return b.array();
    }

    /** The inverse of {@link #quantize}, to within half a step (max / 254) per value. */
    public static float[] dequantize(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float max = b.getFloat();
        float[] v = new float[bytes.length - 4];
        for (int i = 0; i < v.length; i++) v[i] = b.get() * max / 127;
        return v;
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (db) {
            try {
                db.close();
            } catch (SQLException e) {
                System.err.println("attune serve: closing prediction log " + target + ": " + AttuneException.firstLine(e.getMessage()));
            }
        }
    }
}
