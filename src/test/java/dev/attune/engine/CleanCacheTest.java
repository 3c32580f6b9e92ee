package dev.attune.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first run on an empty native-library cache loads attune's own libtorch, even where a system libtorch exists
 * (Debian's python3-torch puts one in /usr/lib): the JVM must not crash.
 */
class CleanCacheTest {

    @Test
    void firstRunOnAnEmptyCacheEncodes(@TempDir Path cache) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-DOPT_OUT_TRACKING=true", "-DDJL_OFFLINE=true",
                "-cp", System.getProperty("java.class.path"), "dev.attune.cli.Main", "encode");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write("hello world\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("{\"text\":\"hello world\",\"embedding\":[-0.0344"), out);
    }
}
