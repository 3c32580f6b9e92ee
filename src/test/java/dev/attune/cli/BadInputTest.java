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
                Arguments.of("unknown option", args("encode", "--frobnicate"), "--frobnicate"));
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
