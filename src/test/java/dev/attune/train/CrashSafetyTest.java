package dev.attune.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.FineTune;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import dev.attune.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A run killed with SIGKILL at any moment (during a step, while writing a checkpoint, while writing the model) and
 * then resumed ends with a model bit-identical to an uninterrupted run's; a diverging run rolls back with halved
 * rates or fails cleanly, and never reports a broken model as completed.
 */
class CrashSafetyTest {
    @TempDir
    static Path dir;
    static Path train, validation, test;
    static byte[] reference;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void runUninterrupted() throws Exception {
        train = SyntheticTopics.write(dir.resolve("train.jsonl"), 160, 1);
        validation = SyntheticTopics.write(dir.resolve("validation.jsonl"), 48, 2);
        test = SyntheticTopics.write(dir.resolve("test.jsonl"), 48, 3);
        Path out = dir.resolve("reference");
        FineTune.run(RunConfig.parse(config(out), "reference.yaml", List.of()));
        reference = Files.readAllBytes(out.resolve("model/model.safetensors"));
    }

    /** 20 steps (10 per epoch), an evaluation and a checkpoint every 4 steps, fp32 so that reruns are exact. */
    static String config(Path out) {
        return """
                model:   {name: minilm-l6}
                data:    {train: %s, validation: %s, test: %s, max_length: 24}
                trainer: {learning_rate: 1.0e-4, batch_size: 16, epochs: 2, eval_steps: 4, logging_steps: 1, seed: 11, precision: fp32}
                output:  {dir: %s}
                """.formatted(train, validation, test, out);
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"step:7", "checkpoint:3", "model:2"})
    void aRunKilledAtAnyMomentResumesToTheSameModelBitForBit(String moment) throws Exception {
        Path out = dir.resolve("killed-" + moment.replace(':', '-'));
        Path cfg = dir.resolve("killed-" + moment.replace(':', '-') + ".yaml");
        Files.writeString(cfg, config(out));
        Path log = dir.resolve(cfg.getFileName() + ".log");
        Process child = trainInChild(cfg, moment, log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (child.isAlive() && !Files.readString(log).contains("paused at") && System.nanoTime() < deadline) Thread.sleep(50);
        if (!Files.readString(log).contains("paused at")) {
            child.destroyForcibly().waitFor();
            fail("the run never reached " + moment + ": " + Files.readString(log));
        }
        child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no flushing
        assertFalse(Files.exists(out.resolve("summary.json")), "killed before finishing");
        assertFalse(Files.exists(out.resolve("model.tmp")) && Files.exists(out.resolve("model")) && !Files.exists(out.resolve("model/model.safetensors")),
                "never a half-written model directory");
        double before = Checkpoint.exists(out.resolve("checkpoint"))
                ? JSON.readTree(out.resolve("checkpoint/trainer_state.json").toFile()).path("trainSeconds").asDouble() : 0;

        RunSummary s = FineTune.run(RunConfig.load(cfg, List.of()), true, "resume");
        assertEquals(20, s.steps());
        assertArrayEquals(reference, Files.readAllBytes(out.resolve("model/model.safetensors")), "bit-identical to the uninterrupted run");
        assertFalse(Files.exists(out.resolve("checkpoint")), "a finished run keeps no checkpoint");
        assertTrue(s.trainSeconds() > before, "train_seconds adds up the segments: " + s.trainSeconds() + " vs " + before);
        List<Long> steps = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.has("loss")) steps.add(n.get("step").asLong());
        }
        assertEquals(20, steps.size(), "each step logged once: " + steps);
    }

    @Test
    void aTruncatedOrOutdatedOptimizerStateIsAOneLineErrorNamingTheFile() throws Exception {
        Path out = dir.resolve("truncated");
        Path cfg = dir.resolve("truncated.yaml");
        Files.writeString(cfg, config(out));
        Path log = dir.resolve("truncated.log");
        Process child = trainInChild(cfg, "step:6", log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (child.isAlive() && !Files.readString(log).contains("paused at") && System.nanoTime() < deadline) Thread.sleep(50);
        child.destroyForcibly().waitFor();
        Path opt = out.resolve("checkpoint/optimizer.safetensors");
        // a checkpoint of the libtorch-archive format earlier versions wrote
        Path legacy = out.resolve("checkpoint/optimizer.pt");
        Files.move(opt, legacy);
        StringWriter legacyErr = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(legacyErr, true), "train", "--config", cfg.toString(), "--resume"), legacyErr.toString());
        assertTrue(legacyErr.toString().contains(legacy + ": optimizer state in the format of an earlier attune version"), legacyErr.toString());
        Files.move(legacy, opt);
        byte[] b = Files.readAllBytes(opt);
        Files.write(opt, java.util.Arrays.copyOf(b, b.length / 2));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "train", "--config", cfg.toString(), "--resume");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(opt + ": cannot read optimizer state"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void atLearningRateOneTheRunRollsBackAndNeverReportsABrokenModelAsCompleted() throws Exception {
        Path out = dir.resolve("diverging");
        RunConfig c = RunConfig.parse(config(out), "diverging.yaml", List.of("trainer.learning_rate=1", "trainer.warmup_ratio=0"));
        RunSummary s = null;
        try {
            s = FineTune.run(c);
        } catch (TrainingDivergedException e) {
            assertTrue(e.getMessage().contains("lower trainer.learning_rate"), e.getMessage());
        }
        List<JsonNode> rollbacks = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.has("rollback")) rollbacks.add(n);
        }
        assertFalse(rollbacks.isEmpty(), "the blow-up was caught and rolled back");
        for (int i = 0; i < rollbacks.size(); i++) {
            assertEquals(i + 1, rollbacks.get(i).get("rollback").asInt());
            assertEquals(Math.pow(0.5, i + 1), rollbacks.get(i).get("learning_rate_scale").asDouble(), 1e-12);
        }
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        if (s == null) {
            assertEquals("failed", summary.path("status").asText());
            assertEquals(Trainer.MAX_ROLLBACKS, rollbacks.size());
            assertFalse(Files.exists(out.resolve("checkpoint")));
        } else {
            assertEquals("completed", summary.path("status").asText());
            // recovered: the model it reports must still tell the topics apart (chance is 0.75 errors). Not reached in
            // the measured runs: at learning rate 1 every rollback diverged again and the run failed cleanly
            dev.attune.Tolerance.atMost("test error rate after recovering from divergence", 1 - s.test().accuracy(), 0.5);
        }
        if (Files.exists(out.resolve("model/model.safetensors"))) {
            dev.attune.model.Safetensors.read(out.resolve("model/model.safetensors")); // finite, or this throws
        }
    }

    static Process trainInChild(Path cfg, String pauseAt, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path")));
        for (String p : List.of("org.bytedeco.javacpp.cachedir", "OPT_OUT_TRACKING", "DJL_OFFLINE")) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of("dev.attune.cli.Main", "train", "--config", cfg.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ATTUNE_PAUSE_AT", pauseAt);
        return pb.start();
    }
}
