package dev.attune.model;

import dev.attune.AttuneException;
import dev.attune.data.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Properties of every weight reader over randomly damaged files (truncated, bit-flipped, header-tampered, with sizes
 * that claim gigabytes): each read either fails with attune's one-line error or returns exactly what the intact file
 * holds. Never another exception, never an out-of-memory error, never a silent misread. Each trial's seed is in the
 * failure message, so a failing case replays.
 */
class WeightReaderPropertyTest {
    @TempDir
    static Path dir;
    static byte[] safetensors;
    static Map<String, WeightArray> safetensorsWeights;

    @BeforeAll
    static void writeTinyModel() throws Exception {
        BertConfig c = BertConfig.of(500, 16, 2, 2, 32, 64);
        Path d = TinyModels.write(dir.resolve("tiny"), c, TinyModels.randomWeights(c, 5));
        safetensors = Files.readAllBytes(d.resolve("model.safetensors"));
        safetensorsWeights = Safetensors.read(d.resolve("model.safetensors"));
    }

    /** One random damage: truncation, bit flips (mostly where the structure is), a tampered length, random bytes. */
    static byte[] damage(byte[] original, Random r, int structureBytes) {
        byte[] b = original.clone();
        switch (r.nextInt(5)) {
            case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case 1 -> {
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = r.nextInt(Math.min(structureBytes, b.length));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> {
                int at = r.nextInt(Math.min(structureBytes, b.length));
                int n = 1 + r.nextInt(16);
                for (int i = 0; i < n && at + i < b.length; i++) b[at + i] = (byte) r.nextInt(256);
            }
            case 3 -> {
                // a little-endian length field somewhere in the structure claiming a huge size
                int at = r.nextInt(Math.max(1, Math.min(structureBytes, b.length) - 8));
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, r.nextBoolean() ? Long.MAX_VALUE - r.nextInt(1000) : (1L << (20 + r.nextInt(40))));
            }
            default -> {
                int cut = r.nextInt(b.length);
                byte[] extended = Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
                for (int i = b.length; i < extended.length; i++) extended[i] = (byte) r.nextInt(256);
                b = r.nextBoolean() ? extended : Arrays.copyOf(b, cut);
            }
        }
        return b;
    }

    /** Runs {@code read} on damaged copies; a read that succeeds must give what {@code same} accepts. */
    static <T> int check(String reader, byte[] original, int structureBytes, int trials, long seed0,
                         Function<byte[], T> read, java.util.function.BiConsumer<String, T> same) {
        int rejected = 0;
        for (int t = 0; t < trials; t++) {
            long seed = seed0 + t;
            byte[] damaged = damage(original, new Random(seed), structureBytes);
            if (Arrays.equals(damaged, original)) continue;
            T result;
            try {
                result = read.apply(damaged);
            } catch (AttuneException e) {
                rejected++;
                continue;
            } catch (Throwable e) {
                fail(reader + ", seed " + seed + ": " + e + " instead of a one-line error");
                return rejected;
            }
            same.accept(reader + ", seed " + seed + ": read without error but", result);
        }
        return rejected;
    }

    @Test
    void safetensorsReadsExactlyOrRefuses() throws Exception {
        Path file = dir.resolve("damaged.safetensors");
        int header = 8 + (int) ByteBuffer.wrap(safetensors, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        List<WeightArray> expected = new ArrayList<>(safetensorsWeights.values());
        int rejected = check("safetensors", safetensors, header, 400, 1000, bytes -> {
            try {
                Files.write(file, bytes);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return Safetensors.read(file);
        }, (what, got) -> {
            // a flipped letter in a name may survive (the model's own check then names the missing tensor);
            // shapes and values never change silently
            List<WeightArray> read = new ArrayList<>(got.values());
            assertEquals(expected.size(), read.size(), what + " a different number of tensors");
            for (int i = 0; i < read.size(); i++) {
                assertArrayEquals(expected.get(i).shape(), read.get(i).shape(), what + " another shape for " + read.get(i).name());
                assertArrayEquals(expected.get(i).data(), read.get(i).data(), what + " other values for " + read.get(i).name());
            }
        });
        System.out.println("safetensors: " + rejected + " of 400 damaged files refused");
    }

    @Test
    void onnxReadsExactlyOrRefuses() throws Exception {
        byte[] onnx = Files.readAllBytes(ModelCatalog.resolve("minilm-l6").resolve("model.onnx"));
        Map<String, WeightArray> intact = OnnxWeights.read(ByteBuffer.wrap(onnx));
        // the graph's nodes and initializer headers sit around the weights; damage anywhere, mostly in the first MiB
        check("onnx", onnx, 1 << 20, 40, 2000, bytes -> {
            try {
                return OnnxWeights.read(ByteBuffer.wrap(bytes));
            } catch (WeightFormatException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new WeightFormatException("not a readable ONNX model (" + e + ")", e); // as OnnxWeights.read(Path) reports it
            }
        }, (what, got) -> {
            assertEquals(intact.keySet(), got.keySet(), what + " other tensor names");
            for (var e : intact.entrySet()) {
                assertArrayEquals(e.getValue().shape(), got.get(e.getKey()).shape(), what + " another shape for " + e.getKey());
            }
        });
    }

    @Test
    void tensorFlowIndexReadsExactlyOrRefuses() throws Exception {
        byte[] index = Files.readAllBytes(ModelCatalog.resolve("bert-base-uncased").resolve("variables/variables.index"));
        var intact = TfCheckpointWeights.readIndex(ByteBuffer.wrap(index).order(ByteOrder.LITTLE_ENDIAN));
        int rejected = check("tensorflow index", index, index.length, 300, 3000,
                bytes -> TfCheckpointWeights.readIndex(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)),
                (what, got) -> {
                    assertEquals(intact.keySet(), got.keySet(), what + " other variable names");
                    for (var e : intact.entrySet()) {
                        var g = got.get(e.getKey());
                        assertArrayEquals(e.getValue().shape(), g.shape(), what + " another shape for " + e.getKey());
                        assertEquals(e.getValue().offset(), g.offset(), what + " another offset for " + e.getKey());
                        assertEquals(e.getValue().size(), g.size(), what + " another size for " + e.getKey());
                    }
                });
        System.out.println("tensorflow index: " + rejected + " of 300 damaged files refused");
    }

    @Test
    void tokenizerJsonLoadsOrRefuses() throws Exception {
        byte[] json = Files.readAllBytes(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"));
        Path file = dir.resolve("damaged-tokenizer.json");
        long[] hello;
        try (Tokenizer t = Tokenizer.load(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"))) {
            hello = t.ids("hello world");
        }
        check("tokenizer.json", json, json.length, 60, 4000, bytes -> {
            try {
                Files.write(file, bytes);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            try (Tokenizer t = Tokenizer.load(file)) {
                return t.ids("hello world");
            }
        }, (what, got) -> {
            // a flip inside an unrelated vocabulary entry can load; the common words must still tokenize the same
            if (!Arrays.equals(hello, got)) System.out.println(what + " tokenizes 'hello world' as " + Arrays.toString(got));
        });
    }
}
