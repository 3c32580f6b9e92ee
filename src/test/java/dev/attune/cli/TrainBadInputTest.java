package dev.attune.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed configs and datasets for {@code attune train}: one line naming the file, line or key; exit status 2. */
class TrainBadInputTest {
    @TempDir
    static Path tmp;
    static Path good, goodVal;

    @BeforeAll
    static void writeGoodData() throws IOException {
        good = tmp.resolve("train.jsonl");
        Files.writeString(good, "{\"text\": \"buy now\", \"label\": \"spam\"}\n{\"text\": \"meeting at 3\", \"label\": \"ham\"}\n");
        goodVal = tmp.resolve("val.jsonl");
        Files.writeString(goodVal, "{\"text\": \"cheap pills\", \"label\": \"spam\"}\n");
    }

    static Path file(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    /** A valid config with one line replaced or appended. */
    static String config(String trainer, String extra) {
        return "model: {name: minilm-l6}\n"
                + "data: {train: " + good + ", validation: " + goodVal + "}\n"
                + "trainer: {" + trainer + "}\n"
                + "output: {dir: " + tmp.resolve("out-" + Math.abs((trainer + extra).hashCode())) + "}\n" + extra;
    }

    static Stream<Arguments> cases() throws IOException {
        Files.createDirectories(tmp.resolve("adir.jsonl"));
        Path finished = tmp.resolve("finished");
        Files.createDirectories(finished);
        Files.writeString(finished.resolve("summary.json"), "{}");
        return Stream.of(
                c("unknown section", file("c1.yaml", config("", "optimizer: {name: sgd}\n")), List.of(), "optimizer: unknown section"),
                c("misspelt key", file("c2.yaml", config("learning_rat: 0.1", "")), List.of(), "trainer.learning_rat: unknown key"),
                c("negative learning rate", file("c3.yaml", config("learning_rate: -1", "")), List.of(), "trainer.learning_rate: must be between"),
                c("zero batch size", file("c4.yaml", config("batch_size: 0", "")), List.of(), "trainer.batch_size: must be between 1 and 4096"),
                c("unknown precision", file("c5.yaml", config("precision: fp16", "")), List.of(), "trainer.precision: must be one of [auto, bf16, fp32]"),
                c("max_length too large", file("c6.yaml", config("", "").replace("validation: " + goodVal, "validation: " + goodVal + ", max_length: 5000")), List.of(), "data.max_length: must be between 8 and 512"),
                c("warmup ratio above 1", file("c7.yaml", config("warmup_ratio: 1.5", "")), List.of(), "trainer.warmup_ratio"),
                c("not YAML", file("c8.yaml", "model: {name: [unclosed\n"), List.of(), "c8.yaml"),
                c("train data missing from config", file("c9.yaml", "model: {name: minilm-l6}\n"), List.of(), "data.train: is required"),
                c("epochs not a number", file("c10.yaml", config("epochs: many", "")), List.of(), "trainer.epochs: must be a number"),
                c("--set without a key", file("c11.yaml", config("", "")), List.of("--set", "learning_rate"), "expected section.key=value"),
                c("config file missing", tmp.resolve("absent.yaml"), List.of(), "absent.yaml: no such file"),
                c("unknown pooling", file("c12.yaml", config("", "")), List.of("--set", "model.pooling=max"), "model.pooling: must be one of"),
                c("train file missing", file("c13.yaml", config("", "").replace(good.toString(), tmp.resolve("nodata.jsonl").toString())), List.of(), "nodata.jsonl: no such file"),
                c("malformed JSONL line", file("c14.yaml", config("", "").replace(good.toString(), file("bad1.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\n").toString())), List.of(), "bad1.jsonl:2: malformed JSON"),
                c("missing label field", file("c15.yaml", config("", "").replace(good.toString(), file("bad2.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\"}\n").toString())), List.of(), "bad2.jsonl:2: missing field 'label'"),
                c("empty text", file("c16.yaml", config("", "").replace(good.toString(), file("bad3.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"  \", \"label\": \"y\"}\n").toString())), List.of(), "bad3.jsonl:2: empty text"),
                c("CSV without the text column", file("c17.yaml", config("", "").replace(good.toString(), file("bad4.csv", "body,label\nhi,x\n").toString())), List.of(), "bad4.csv:1: missing column 'text'"),
                c("CSV row with too many fields", file("c18.yaml", config("", "").replace(good.toString(), file("bad5.csv", "text,label\nhi,x\nho,y,z\n").toString())), List.of(), "bad5.csv:3: row has 3 fields"),
                c("one label only", file("c19.yaml", config("", "").replace(good.toString(), file("one.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n").toString())), List.of(), "has only one label"),
                c("validation label unseen in training", file("c20.yaml", config("", "").replace(goodVal.toString(), file("val2.jsonl", "{\"text\": \"a\", \"label\": \"spam\"}\n{\"text\": \"b\", \"label\": \"eggs\"}\n").toString())), List.of(), "val2.jsonl:2: label 'eggs' does not occur in the training data"),
                c("unknown model", file("c21.yaml", config("", "").replace("name: minilm-l6", "name: gpt-17")), List.of(), "unknown model 'gpt-17'"),
                c("freeze pattern matching nothing", file("c22.yaml", config("", "")), List.of("--set", "model.freeze=[decoder.*]"), "model.freeze: pattern 'decoder.*' matches no parameter"),
                c("output holds a finished run", file("c23.yaml", config("", "")), List.of("--set", "output.dir=" + finished), "already holds a finished run"),
                c("max_steps zero", file("c24.yaml", config("max_steps: 0", "")), List.of(), "trainer.max_steps: must be -1"),
                c("key given twice in a mapping", file("c25.yaml", config("seed: 1, seed: 2", "")), List.of(), "c25.yaml:3: not valid YAML (Duplicate field 'seed'"),
                c("section given twice", file("c26.yaml", config("", "trainer: {seed: 3}\n")), List.of(), "c26.yaml:5: not valid YAML (Duplicate field 'trainer'"),
                c("unknown key named with its line", file("c27.yaml", config("", "automation:\n  enabled: true\n  polcy: auto\n")), List.of(), "c27.yaml:7: automation.polcy: unknown key"),
                c("unknown key from --set blames the option", file("c28.yaml", config("", "")), List.of("--set", "trainer.seeed=4"), "--set trainer.seeed=4: trainer.seeed: unknown key"),
                c("bad value from --set blames the option", file("c29.yaml", config("", "")), List.of("--set", "trainer.batch_size=-3"), "--set trainer.batch_size=-3: trainer.batch_size: must be between 1 and 4096"),
                c("empty output dir", file("c30.yaml", config("", "")), List.of("--set", "output.dir="), "output.dir: must name a directory"),
                c("numeric label among string labels", file("c31.yaml", config("", "").replace(good.toString(), file("mixed.jsonl", "{\"text\": \"a\", \"label\": \"spam\"}\n{\"text\": \"b\", \"label\": 1}\n").toString())), List.of(), "mixed.jsonl:2: field 'label' is a number here but a string on line 1"),
                c("field given twice in a JSONL row", file("c32.yaml", config("", "").replace(good.toString(), file("dup.jsonl", "{\"text\": \"a\", \"label\": \"x\", \"label\": \"y\"}\n").toString())), List.of(), "dup.jsonl:1: malformed JSON (Duplicate field 'label')"),
                c("CSV with a repeated column", file("c33.yaml", config("", "").replace(good.toString(), file("dupcol.csv", "text,label,text\na,x,b\n").toString())), List.of(), "dupcol.csv:1: "),
                c("train data is a directory", file("c34.yaml", config("", "").replace(good.toString(), tmp.toString() + "/adir.jsonl")), List.of(), "adir.jsonl"),
                c("gzip file that is not gzip", file("c35.yaml", config("", "").replace(good.toString(), file("fake.jsonl.gz", "{\"text\": \"a\"}").toString())), List.of(), "fake.jsonl.gz: cannot read"),
                c("section that is not a mapping", file("c36.yaml", config("", "").replace("trainer: {}", "trainer: [1, 2]")), List.of(), "trainer: must be a mapping"),
                c("resume of a finished run", file("c37.yaml", config("", "")), List.of("--set", "output.dir=" + finished, "--resume"), "--resume continues only unfinished runs"),
                c("resume with another batch size", unfinished("c38", "batch_size: 16"), List.of("--set", "trainer.batch_size=8", "--resume"), "trainer.batch_size: 16 -> 8"),
                c("resume with another rate and seed", unfinished("c39", "learning_rate: 3.0e-5"), List.of("--set", "trainer.learning_rate=3e-4", "--set", "trainer.seed=7", "--resume"), "trainer.learning_rate: 3.0E-5 -> 3.0E-4; trainer.seed: 42 -> 7"),
                c("resume with another train file", unfinished("c40", ""), List.of("--set", "data.train=" + goodVal, "--resume"), "data.train: "),
                c("resume after the data changed", changedData("c41"), List.of("--resume"), "data.train: contents changed"),
                c("--resume without a config.yaml in the run", unfinishedWithoutConfig("c42"), List.of("--resume"), "config.yaml: missing"),
                c("learning_rate auto without validation data", file("c43.yaml", config("learning_rate: auto", "").replace(", validation: " + goodVal, "")),
                        List.of(), "trainer.learning_rate: auto chooses the rate by validation loss; give data.validation"),
                c("unknown rate search", file("c44.yaml", config("", "automation: {rate_search: grid}\n")), List.of(),
                        "automation.rate_search: must be one of [successive_halving, range_test]"),
                c("no worker processes", file("c45.yaml", config("", "")), List.of("--nproc-per-node", "0"), "--nproc-per-node: 0 must be at least 1"),
                c("node rank outside the nodes", file("c46.yaml", config("", "")), List.of("--nnodes", "2", "--node-rank", "2"), "--node-rank: 2 must be in 0..1"),
                c("dropout out of range", file("c47.yaml", config("", "")), List.of("--set", "model.dropout=1"), "model.dropout: must be between 0"));
    }

    /** A config whose output.dir holds an unfinished run (a checkpoint's counters) started with the same config. */
    static Path unfinished(String name, String trainer) throws IOException {
        Path cfg = file(name + ".yaml", config(trainer, "").replaceAll("dir: .*}", "dir: " + tmp.resolve(name + "-run") + "}"));
        Path run = tmp.resolve(name + "-run");
        Files.createDirectories(run.resolve("checkpoint"));
        Files.writeString(run.resolve("checkpoint/trainer_state.json"), "{\"step\": 10}");
        Files.writeString(run.resolve("config.yaml"), dev.attune.config.RunConfig.load(cfg, List.of()).toYaml());
        return cfg;
    }

    static Path changedData(String name) throws IOException {
        Path data = file(name + "-train.jsonl", Files.readString(good));
        Path cfg = file(name + ".yaml", config("", "").replace(good.toString(), data.toString()).replaceAll("dir: .*}", "dir: " + tmp.resolve(name + "-run") + "}"));
        Path run = tmp.resolve(name + "-run");
        Files.createDirectories(run.resolve("checkpoint"));
        Files.writeString(run.resolve("checkpoint/trainer_state.json"), "{\"step\": 10}");
        Files.writeString(run.resolve("config.yaml"), dev.attune.config.RunConfig.load(cfg, List.of()).toYaml());
        Files.writeString(run.resolve("provenance.json"), "{\"data\": {\"train\": {\"sha256\": \"" + dev.attune.report.RunFiles.sha256(data) + "\"}}}");
        Files.writeString(data, Files.readString(good) + "{\"text\": \"new row\", \"label\": \"ham\"}\n");
        return cfg;
    }

    static Path unfinishedWithoutConfig(String name) throws IOException {
        Path cfg = unfinished(name, "");
        Files.delete(tmp.resolve(name + "-run/config.yaml"));
        return cfg;
    }

    static Arguments c(String what, Path config, List<String> extra, String expected) {
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString()));
        args.addAll(extra);
        return Arguments.of(what, args.toArray(String[]::new), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedInputGivesOneLineAndExitCode2(String what, String[] args, String expected) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        String msg = err.toString().strip();
        assertEquals(2, code, what + ": " + msg);
        assertTrue(msg.contains(expected), what + ": expected '" + expected + "' in: " + msg);
        assertFalse(msg.contains("\tat ") || msg.contains("Exception"), what + ": " + msg);
        assertTrue(msg.lines().count() <= 2, what + ": " + msg);
    }
}
