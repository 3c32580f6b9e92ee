package dev.attune.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.FineTune;
import dev.attune.config.RunConfig;
import dev.attune.model.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training over c10d Gloo on loopback, in real worker processes started by {@code train
 * --nproc-per-node} (or by two launchers acting as two nodes), against a one-process run of the same config on a
 * tiny random BERT: with dropout off and fp32, the same global batches must give the same losses (the sums differ
 * only in float rounding: measured relative differences are below 1e-6; the bound is 1e-3), and a killed worker
 * must stop the other within 60 s naming it, after which {@code --resume} finishes the run.
 */
class DistributedTest {
    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void data() throws Exception {
        var c = TinyModels.config(30522);
        Path tiny = TinyModels.write(dir.resolve("tiny"), c, TinyModels.randomWeights(c, 11));
        Path train = SyntheticTopics.write(dir.resolve("train.jsonl"), 200, 1);
        Path validation = SyntheticTopics.write(dir.resolve("validation.jsonl"), 60, 2);
        config = dir.resolve("config.yaml");
        Files.writeString(config, """
                model:   {name: %s, pooling: mean, dropout: 0, classifier_dropout: 0}
                data:    {train: %s, validation: %s, max_length: 24}
                trainer: {learning_rate: 2.0e-3, batch_size: 32, max_steps: 24, eval_steps: 12, logging_steps: 1, seed: 3, precision: fp32}
                output:  {dir: %s}
                """.formatted(tiny, train, validation, dir.resolve("unused")));
    }

    @Test
    void twoProcessesFollowTheOneProcessRunAndTwoNodesMatchThem() throws Exception {
        Path one = dir.resolve("one"), two = dir.resolve("two"), nodes = dir.resolve("nodes");
        FineTune.run(RunConfig.load(config, List.of("output.dir=" + one)));
        Process p = train(two, dir.resolve("two.log"), "--nproc-per-node", "2");
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "two-process run did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("two.log")));

        int port = dev.attune.Workers.freePort();
        Process node0 = train(nodes, dir.resolve("node0.log"), "--nnodes", "2", "--node-rank", "0", "--master-port", String.valueOf(port));
        Process node1 = train(nodes, dir.resolve("node1.log"), "--nnodes", "2", "--node-rank", "1", "--master-port", String.valueOf(port));
        assertTrue(node0.waitFor(300, TimeUnit.SECONDS) && node1.waitFor(60, TimeUnit.SECONDS), "two-node run did not finish");
        assertEquals(0, node0.exitValue(), Files.readString(dir.resolve("node0.log")));
        assertEquals(0, node1.exitValue(), Files.readString(dir.resolve("node1.log")));

        Map<Long, Double> lossOne = losses(one, "loss"), lossTwo = losses(two, "loss"), lossNodes = losses(nodes, "loss");
        assertEquals(24, lossOne.size());
        assertEquals(lossOne.keySet(), lossTwo.keySet());
        for (long step : lossOne.keySet()) {
            dev.attune.Tolerance.atMost("relative loss difference at step " + step, relative(lossTwo.get(step), lossOne.get(step)), 1e-3);
            dev.attune.Tolerance.atMost("two nodes against two processes, step " + step, relative(lossNodes.get(step), lossTwo.get(step)), 1e-6);
        }
        assertTrue(lossOne.get(24L) < lossOne.get(1L), "the runs learned: " + lossOne);
        double evalOne = losses(one, "eval_loss").get(24L), evalTwo = losses(two, "eval_loss").get(24L);
        dev.attune.Tolerance.atMost("relative final validation loss difference", relative(evalTwo, evalOne), 5e-3);

        JsonNode summary = new ObjectMapper().readTree(two.resolve("summary.json").toFile());
        assertEquals(2, summary.path("world_size").asInt());
        assertTrue(summary.path("allreduce_bytes_per_step").asDouble() > 0);
        assertEquals(1, new ObjectMapper().readTree(one.resolve("summary.json").toFile()).path("world_size").asInt());
    }

    @Test
    void aKilledWorkerStopsTheOtherNamingItAndResumeFinishes() throws Exception {
        Path run = dir.resolve("killed");
        Path log = dir.resolve("killed.log");
        Process launcher = train(run, log, Map.of("ATTUNE_PAUSE_AT", "step:10", "ATTUNE_PAUSE_RANK", "1"), "--nproc-per-node", "2");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.readString(log).contains("paused at step 10") && launcher.isAlive() && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(Files.readString(log).contains("paused at step 10"), Files.readString(log));
        ProcessHandle rank1 = launcher.toHandle().children().filter(h -> rankOf(h) == 1).findFirst().orElseThrow();
        long killed = System.nanoTime();
        new ProcessBuilder("kill", "-9", String.valueOf(rank1.pid())).start().waitFor();
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the other worker did not stop within 60 s");
        double seconds = (System.nanoTime() - killed) / 1e9;
        String out = Files.readString(log);
        assertTrue(launcher.exitValue() != 0, out);
        assertTrue(out.contains("rank 1 of 2 was lost"), out);
        dev.attune.Tolerance.atMost("seconds from SIGKILL of rank 1 until the launcher exited", seconds, 60);
        assertTrue(!Files.exists(run.resolve("summary.json")), "a stopped run has no summary");

        Process resumed = train(run, dir.resolve("resumed.log"), "--nproc-per-node", "2", "--resume");
        assertTrue(resumed.waitFor(300, TimeUnit.SECONDS), "resume did not finish");
        assertEquals(0, resumed.exitValue(), Files.readString(dir.resolve("resumed.log")));
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertEquals("completed", summary.path("status").asText());
        assertEquals(24, summary.path("steps").asInt());
    }

    private static int rankOf(ProcessHandle h) {
        try {
            for (String kv : Files.readString(Path.of("/proc", String.valueOf(h.pid()), "environ")).split("\0")) {
                if (kv.startsWith("RANK=")) return Integer.parseInt(kv.substring(5));
            }
        } catch (Exception ignored) {
            // gone already
        }
        return -1;
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.abs(b);
    }

    /** Step → value of {@code key} in a run's metrics.jsonl. */
    private static Map<Long, Double> losses(Path run, String key) throws Exception {
        Map<Long, Double> out = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.has(key)) out.put(n.path("step").asLong(), n.path(key).asDouble());
        }
        return out;
    }

    private static Process train(Path out, Path log, String... options) throws Exception {
        return train(out, log, Map.of(), options);
    }

    private static Process train(Path out, Path log, Map<String, String> env, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path")));
        for (String p : List.of("org.bytedeco.javacpp.cachedir", "OPT_OUT_TRACKING", "DJL_OFFLINE")) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of("dev.attune.cli.Main", "train", "--config", config.toString(), "--set", "output.dir=" + out));
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
