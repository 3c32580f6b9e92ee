package dev.attune.serve;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prediction log on a real PostgreSQL server that the test starts itself (Debian's postgresql package; .ci/run
 * installs it): two logs, as two servers would hold, share one store.
 */
class PostgresLogTest {
    @Test
    void twoWritersShareOneStoreAndReadEachOthersRows() throws Exception {
        Path bin = LocalPostgres.binaries();
        Assumptions.assumeTrue(bin != null, "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
        try (LocalPostgres pg = LocalPostgres.start(bin)) {
            float[] v = {0.5f, -1f, 0.25f, 0f};
            try (PredictionLog a = PredictionLog.open(pg.url()); PredictionLog b = PredictionLog.open(pg.url())) {
                for (int i = 0; i < 300; i++) {
                    (i % 2 == 0 ? a : b).record(new PredictionLog.Prediction("p" + i, 1_700_000_000_000L + i, "v1", "text " + i + " ünïcödé ✓",
                            i % 3 == 0 ? "spam" : "ham", "{\"ham\": 0.5, \"spam\": 0.5}", 0.5, 10 + i, i % 2, v));
                }
                a.record(new PredictionLog.Feedback("p1", 1_700_000_001_000L, "spam"));
                b.record(new PredictionLog.Window(1_700_000_002_000L, "v1", 200, 200, 0.01, 0.2, false, "{\"ham\": 0.6, \"spam\": 0.4}", 0.03, 0.9, 100, 0.001));
                b.record(new PredictionLog.Window(1_700_000_003_000L, "v1", 400, 200, null, null, null, "{\"ham\": 1.0}", null, 0.8, 90, 0));
                a.flush();
                b.flush();
                assertArrayEquals(new long[] {300, 1}, a.counts(), "rows written through both connections");
                assertEquals("spam", b.predictedLabel("p3"), "b reads what a wrote");
                assertEquals("ham", a.predictedLabel("p1"));
                assertNull(a.predictedLabel("nope"));
                var windows = a.windows();
                assertEquals(2, windows.size());
                assertEquals(0.2, windows.get(0).pValue(), 0);
                assertEquals(false, windows.get(0).alarm());
                assertNull(windows.get(1).mmd2(), "a window without a drift test keeps its nulls");
                assertNull(windows.get(1).alarm());
            }
            try (var c = java.sql.DriverManager.getConnection(pg.url()); var s = c.createStatement();
                 var r = s.executeQuery("SELECT text, embedding FROM predictions WHERE id = 'p4'")) {
                assertTrue(r.next());
                assertEquals("text 4 ünïcödé ✓", r.getString(1));
                float[] back = PredictionLog.dequantize(r.getBytes(2));
                for (int i = 0; i < v.length; i++) assertEquals(v[i], back[i], 1.0 / 254, "quantized to within half a step");
            }
        }
    }
}
