package dev.attune.cli;

import dev.attune.model.BertConfig;
import dev.attune.model.ModelCatalog;
import dev.attune.model.TinyModels;
import dev.attune.model.WeightArray;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input gives exit status 2 and one line on standard error that names the file, tensor or key;
 * never a stack trace, never a crashed JVM.
 */
class BadInputTest {
    @TempDir
    static Path tmp;
    static Path good;

    @BeforeAll
    static void writeGoodTinyModel() throws IOException {
        good = TinyModels.write(tmp.resolve("good"), TinyModels.config(30522), TinyModels.randomWeights(TinyModels.config(30522), 1));
    }

    /** A copy of the good tiny model with one change. */
    static Path variant(String name, IoAction change) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (var s = Files.list(good)) {
            for (Path f : s.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        change.apply(dir);
        return dir;
    }

    interface IoAction {
        void apply(Path dir) throws IOException;
    }

    static Path writeText(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    static Stream<Arguments> cases() throws IOException {
        BertConfig c = TinyModels.config(30522);
        Map<String, WeightArray> wrongShape = new LinkedHashMap<>(TinyModels.randomWeights(c, 2));
        wrongShape.put("encoder.layer.0.attention.self.query.weight",
                new WeightArray("encoder.layer.0.attention.self.query.weight", new long[] {16, 8}, new float[128]));
        Map<String, WeightArray> missing = new LinkedHashMap<>(TinyModels.randomWeights(c, 3));
        missing.remove("encoder.layer.1.output.dense.weight");
        Path tf = ModelCatalog.resolve("bert-base-uncased");
        Path onnx = ModelCatalog.resolve("minilm-l6").resolve("model.onnx");

        return Stream.of(
                Arguments.of("unknown model name", args("encode", "--model", "no-such-model", "--input", writeText("t1.txt", "hi")), "unknown model 'no-such-model'"),
                Arguments.of("missing weight file", args("encode", "--model", variant("noweights", d -> Files.delete(d.resolve("model.safetensors"))).toString(), "--input", writeText("t2.txt", "hi")), "no weights"),
                Arguments.of("corrupt safetensors", args("encode", "--model", variant("garbage", d -> Files.write(d.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})).toString(), "--input", writeText("t3.txt", "hi")), "model.safetensors"),
                Arguments.of("truncated safetensors", args("encode", "--model", variant("truncated", d -> {
                    byte[] b = Files.readAllBytes(d.resolve("model.safetensors"));
                    Files.write(d.resolve("model.safetensors"), java.util.Arrays.copyOf(b, b.length / 2));
                }).toString(), "--input", writeText("t4.txt", "hi")), "data_offsets"),
                Arguments.of("tensor of the wrong shape", args("encode", "--model", TinyModels.write(tmp.resolve("shape"), c, wrongShape).toString(), "--input", writeText("t5.txt", "hi")), "encoder.layer.0.attention.self.query.weight has shape [16, 8], expected [16, 16]"),
                Arguments.of("missing tensor", args("encode", "--model", TinyModels.write(tmp.resolve("missing"), c, missing).toString(), "--input", writeText("t6.txt", "hi")), "missing tensor encoder.layer.1.output.dense.weight"),
                Arguments.of("tokenizer larger than embeddings", args("encode", "--model", TinyModels.write(tmp.resolve("smallvocab"), TinyModels.config(1000), TinyModels.randomWeights(TinyModels.config(1000), 4)).toString(), "--input", writeText("t7.txt", "hi")), "tokenizer.json: tokenizer has 30522 ids but the model's word embeddings have only 1000 rows"),
                Arguments.of("config.json not JSON", args("encode", "--model", variant("badconfig", d -> Files.writeString(d.resolve("config.json"), "{not json")).toString(), "--input", writeText("t8.txt", "hi")), "config.json"),
                Arguments.of("config value out of range", args("encode", "--model", variant("heads", d -> Files.writeString(d.resolve("config.json"), Files.readString(d.resolve("config.json")).replace("\"num_attention_heads\" : 2", "\"num_attention_heads\" : 3"))).toString(), "--input", writeText("t9.txt", "hi")), "num_attention_heads"),
                Arguments.of("tokenizer.json not a tokenizer", args("encode", "--model", variant("badtok", d -> Files.writeString(d.resolve("tokenizer.json"), "{\"model\": {}}")).toString(), "--input", writeText("t10.txt", "hi")), "tokenizer.json"),
                Arguments.of("corrupt ONNX file", args("encode", "--model", variant("onnxgarbage", d -> {
                    Files.delete(d.resolve("model.safetensors"));
                    Files.write(d.resolve("model.onnx"), "this is not a protobuf".getBytes());
                }).toString(), "--input", writeText("t11.txt", "hi")), "model.onnx"),
                Arguments.of("truncated ONNX file", args("encode", "--model", variant("onnxtrunc", d -> {
                    Files.delete(d.resolve("model.safetensors"));
                    byte[] b = Files.readAllBytes(onnx);
                    Files.write(d.resolve("model.onnx"), java.util.Arrays.copyOf(b, b.length / 3));
                }).toString(), "--input", writeText("t12.txt", "hi")), "model.onnx"),
                Arguments.of("corrupt TensorFlow index", args("fill-mask", "--model", variant("tfcorrupt", d -> {
                    Files.delete(d.resolve("model.safetensors"));
                    Files.createDirectories(d.resolve("variables"));
                    byte[] idx = Files.readAllBytes(tf.resolve("variables/variables.index"));
                    idx[100] ^= 0x55;
                    Files.write(d.resolve("variables/variables.index"), idx); // the index is checked before any data is read
                }).toString(), "the [MASK] ."), "variables.index: block checksum mismatch"),
                Arguments.of("input file missing", args("encode", "--input", tmp.resolve("absent.txt").toString()), "absent.txt: no such file"),
                Arguments.of("fill-mask without [MASK]", args("fill-mask", "no mask here"), "has no [MASK]"),
                Arguments.of("fill-mask on a model without a masked-LM head", args("fill-mask", "--model", good.toString(), "a [MASK] ."), "no masked-LM head"),
                Arguments.of("unknown option", args("encode", "--frobnicate"), "--frobnicate"),
                Arguments.of("unknown email variant", args("eval", "--model", good.toString(), "--data", writeText("v1.jsonl", "{\"text\": \"a\", \"label\": \"ham\"}\n"), "--variant", "tiny"), "--variant: unknown variant 'tiny'"),
                Arguments.of("threshold out of range", args("predict", "--model", good.toString(), "--threshold", "2", "--input", writeText("v2.txt", "hi")), "--threshold: must be between 0.0 and 1.0 (got 2.0)"),
                Arguments.of("threshold and flag rate together", args("eval", "--model", good.toString(), "--data", writeText("v3.jsonl", "{\"text\": \"a\", \"label\": \"ham\"}\n"), "--threshold", "0.9", "--max-ham-flag-rate", "0.01"), "give one of them, not both"),
                Arguments.of("calibrating an encoder that is not a classifier", args("calibrate", "--model", good.toString(), "--data", writeText("v4.jsonl", "{\"text\": \"a\", \"label\": \"ham\"}\n")), "not a fine-tuned classifier"),
                Arguments.of("NaN weight", args("encode", "--model", variant("nan", d -> SafetensorsBytes.putFloat(d.resolve("model.safetensors"), 0, Float.NaN)), "--input", writeText("t13.txt", "hi")),
                        "tensor embeddings.word_embeddings.weight holds a non-finite value (NaN at index 0)"),
                Arguments.of("infinite weight", args("encode", "--model", variant("inf", d -> SafetensorsBytes.putFloat(d.resolve("model.safetensors"), 5, Float.NEGATIVE_INFINITY)), "--input", writeText("t14.txt", "hi")),
                        "holds a non-finite value (-Infinity at index 5)"),
                Arguments.of("header length ending inside the padding", args("encode", "--model", variant("hlen-3", d -> {
                    SafetensorsBytes.padHeader(d.resolve("model.safetensors"), 6);
                    SafetensorsBytes.addToHeaderLength(d.resolve("model.safetensors"), -3, 0);
                }), "--input", writeText("t15.txt", "hi")),
                        "the tensors cover"),
                Arguments.of("header length raised with bytes appended", args("encode", "--model", variant("hlen+8", d -> SafetensorsBytes.addToHeaderLength(d.resolve("model.safetensors"), 8, 8)), "--input", writeText("t16.txt", "hi")),
                        "model.safetensors: safetensors header"),
                Arguments.of("overlapping tensors", args("encode", "--model", variant("overlap", d -> SafetensorsBytes.editHeader(d.resolve("model.safetensors"), h -> {
                    var first = h.get("embeddings.LayerNorm.weight").get("data_offsets");
                    ((com.fasterxml.jackson.databind.node.ObjectNode) h.get("embeddings.LayerNorm.bias")).set("data_offsets", first);
                })), "--input", writeText("t17.txt", "hi")), "(overlapping tensors)"),
                Arguments.of("shape too large to exist", args("encode", "--model", variant("huge", d -> SafetensorsBytes.editHeader(d.resolve("model.safetensors"), h ->
                        ((com.fasterxml.jackson.databind.node.ObjectNode) h.get("embeddings.LayerNorm.bias")).putArray("shape").add(4294967296L).add(4294967296L).add(4294967296L))),
                        "--input", writeText("t18.txt", "hi")), "tensor embeddings.LayerNorm.bias has a shape too large to exist"),
                Arguments.of("negative dimension", args("encode", "--model", variant("negdim", d -> SafetensorsBytes.editHeader(d.resolve("model.safetensors"), h ->
                        ((com.fasterxml.jackson.databind.node.ObjectNode) h.get("embeddings.LayerNorm.bias")).putArray("shape").add(-16))),
                        "--input", writeText("t19.txt", "hi")), "tensor embeddings.LayerNorm.bias has an invalid shape [-16]"),
                Arguments.of("unsupported dtype", args("encode", "--model", variant("i64", d -> SafetensorsBytes.editHeader(d.resolve("model.safetensors"), h ->
                        ((com.fasterxml.jackson.databind.node.ObjectNode) h.get("embeddings.LayerNorm.bias")).put("dtype", "I64"))),
                        "--input", writeText("t20.txt", "hi")), "tensor embeddings.LayerNorm.bias has unsupported dtype 'I64'"),
                Arguments.of("offsets that are not numbers", args("encode", "--model", variant("stroffs", d -> SafetensorsBytes.editHeader(d.resolve("model.safetensors"), h ->
                        ((com.fasterxml.jackson.databind.node.ObjectNode) h.get("embeddings.LayerNorm.bias")).putArray("data_offsets").add("0").add("64"))),
                        "--input", writeText("t21.txt", "hi")), "tensor embeddings.LayerNorm.bias has data_offsets [-1, -1]"),
                Arguments.of("header that is a JSON array", args("encode", "--model", variant("arrayheader", d -> SafetensorsBytes.replaceHeader(d.resolve("model.safetensors"), "[1, 2, 3]")),
                        "--input", writeText("t22.txt", "hi")), "safetensors header does not start with '{'"),
                Arguments.of("tensor named twice in the header", args("encode", "--model", variant("dupname", d -> SafetensorsBytes.replaceHeader(d.resolve("model.safetensors"),
                        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}")),
                        "--input", writeText("t23.txt", "hi")), "Duplicate field 'a'"),
                Arguments.of("hidden_size not a multiple of the heads", args("encode", "--model", variant("hidden512", d -> Files.writeString(d.resolve("config.json"), Files.readString(d.resolve("config.json")).replace("\"hidden_size\" : 16", "\"hidden_size\" : 15"))).toString(), "--input", writeText("t24.txt", "hi")),
                        "hidden_size 15 is not a multiple of num_attention_heads 2"),
                Arguments.of("predict with a model that overflows", args("predict", "--model", overflowingClassifier(), "--input", writeText("t25.txt", "hello there")),
                        "forward pass produced NaN for example 1 of 1"),
                Arguments.of("eval with a model that overflows", args("eval", "--model", overflowingClassifier(), "--data", writeText("t26.jsonl", "{\"text\": \"hi\", \"label\": \"a\"}\n")),
                        "forward pass produced NaN"),
                Arguments.of("predict with NaN weights", args("predict", "--model", variant("nanclf", d -> {
                    Files.copy(classifier().resolve("config.json"), d.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.copy(classifier().resolve("model.safetensors"), d.resolve("model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    SafetensorsBytes.putFloat(d.resolve("model.safetensors"), 3, Float.NaN);
                }), "--input", writeText("t27.txt", "hi")), "holds a non-finite value (NaN at index 3)"),
                Arguments.of("predict with a model that is not a classifier", args("predict", "--model", good, "--input", writeText("t28.txt", "hi")), "not a fine-tuned classifier"),
                Arguments.of("predict --batch-size 0", args("predict", "--model", good, "--batch-size", "0", "--input", writeText("t29.txt", "hi")), "--batch-size: must be between 1 and 4096 (got 0)"),
                Arguments.of("predict --batch-size -3", args("predict", "--model", good, "--batch-size", "-3", "--input", writeText("t30.txt", "hi")), "--batch-size: must be between 1 and 4096 (got -3)"),
                Arguments.of("eval --batch-size 0", args("eval", "--model", good, "--batch-size", "0", "--data", writeText("t31.jsonl", "{}")), "--batch-size: must be between 1 and 4096 (got 0)"),
                Arguments.of("eval --max-length 0", args("eval", "--model", good, "--max-length", "0", "--data", writeText("t32.jsonl", "{}")), "--max-length: must be between 2 and 512 (got 0)"),
                Arguments.of("eval data file missing", args("eval", "--model", classifier(), "--data", tmp.resolve("absent.jsonl")), "absent.jsonl: no such file"),
                Arguments.of("encode --max-length too large", args("encode", "--max-length", "100000", "--input", writeText("t33.txt", "hi")), "--max-length: must be between 2 and 512 (got 100000)"),
                Arguments.of("compare --seeds 0", args("compare", "--config", writeText("t34.yaml", "data: {train: x.jsonl}\n"), "--seeds", "0"), "--seeds: must be between 1 and 100 (got 0)"),
                Arguments.of("benchmark --iterations 0", args("benchmark", "--iterations", "0"), "--iterations: must be between 1 and 1000000 (got 0)"));
    }

    private static Path classifierDir;

    /** A tiny fine-tuned-classifier directory (random head, labels a and b). */
    static synchronized Path classifier() throws IOException {
        if (classifierDir != null) return classifierDir;
        try (var p = dev.attune.model.Pretrained.loadDirectory(good)) {
            var clf = dev.attune.model.SequenceClassifier.create(p.model(), new dev.attune.model.HeadConfig("mean", 0, "gelu", 0.1),
                    java.util.List.of("a", "b"), 3);
            dev.attune.model.Pretrained.save(clf, p.tokenizer(), tmp.resolve("classifier"));
        }
        classifierDir = tmp.resolve("classifier");
        return classifierDir;
    }

    /** The classifier with finite but enormous word embeddings: LayerNorm's sums overflow to NaN. */
    static Path overflowingClassifier() throws IOException {
        Path dir = tmp.resolve("overflow");
        if (Files.exists(dir)) return dir;
        Files.createDirectories(dir);
        try (var s = Files.list(classifier())) {
            for (Path f : s.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        SafetensorsBytes.fillFloats(dir.resolve("model.safetensors"), 0, 30522 * 16, 3e38f);
        return dir;
    }

    static String[] args(Object... a) {
        return java.util.Arrays.stream(a).map(String::valueOf).toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGivesOneLineErrorAndExitCode2(String what, String[] args, String expected) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        String msg = err.toString().strip();
        assertEquals(2, code, what + ": " + msg);
        assertTrue(msg.contains(expected), what + ": expected '" + expected + "' in: " + msg);
        assertFalse(msg.contains("\tat ") || msg.contains("Exception"), what + ": stack trace or exception name in: " + msg);
        String firstLine = msg.lines().findFirst().orElse("");
        assertTrue(firstLine.startsWith("attune: "), msg);
        assertTrue(msg.lines().count() <= 2, what + ": more than one line (plus a usage hint): " + msg);
    }
}
