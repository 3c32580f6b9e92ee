package dev.attune.model;

import dev.attune.engine.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @Test
    void exportThenImportReproducesOutputsExactly(@TempDir Path dir) throws Exception {
        List<String> texts = ParityTexts.TEXTS;
        float[] before, after;
        try (Pretrained p = Pretrained.load("minilm-l6")) {
            var batch = p.tokenizer().encode(texts, 128);
            try (var s = Scope.open()) {
                before = p.model().forward(batch).toFloats();
            }
            p.save(dir);
        }
        assertTrue(Files.exists(dir.resolve("config.json")));
        assertTrue(Files.exists(dir.resolve("tokenizer.json")));
        try (Pretrained q = Pretrained.load(dir.toString())) {
            var batch = q.tokenizer().encode(texts, 128);
            try (var s = Scope.open()) {
                after = q.model().forward(batch).toFloats();
            }
        }
        assertArrayEquals(before, after, 0f);
    }

    @Test
    void readsF16AndBf16WidenedToF32(@TempDir Path dir) throws Exception {
        // 1.0, -2.5, 65504 (largest half), 2^-24 (smallest subnormal half)
        short[] f16 = {(short) 0x3C00, (short) 0xC100, (short) 0x7BFF, (short) 0x0001};
        // 1.0, -2.5, 3.140625 (pi in bf16), 0
        short[] bf16 = {(short) 0x3F80, (short) 0xC020, (short) 0x4049, (short) 0x0000};
        Path file = dir.resolve("half.safetensors");
        writeHalfFile(file, f16, bf16);
        Map<String, WeightArray> w = Safetensors.read(file);
        assertArrayEquals(new float[] {1f, -2.5f, 65504f, (float) Math.pow(2, -24)}, w.get("a").data(), 0f);
        assertArrayEquals(new float[] {1f, -2.5f, 3.140625f, 0f}, w.get("b").data(), 0f);
        assertArrayEquals(new long[] {2, 2}, w.get("a").shape());
    }

    @Test
    void writesAlignedHeaderWithMetadata(@TempDir Path dir) throws Exception {
        Map<String, WeightArray> m = new LinkedHashMap<>();
        m.put("x", new WeightArray("x", new long[] {3}, new float[] {1, 2, 3}));
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, m, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"__metadata__\":{\"format\":\"pt\"}"), header);
        assertEquals(8 + headerLen + 12, bytes.length);
        assertArrayEquals(new float[] {1, 2, 3}, Safetensors.read(f).get("x").data(), 0f);
    }

    /** Tensors longer than the reader's 1 MB buffer, starting mid-buffer, in all three dtypes, read back exactly. */
    @Test
    void readsTensorsAcrossBufferBoundaries(@TempDir Path dir) throws Exception {
        int n32 = 300_001, n16 = 600_003;                           // 1.2 MB, then 1.2 MB at an offset not a multiple of 4
        String header = "{\"f\":{\"dtype\":\"F32\",\"shape\":[" + n32 + "],\"data_offsets\":[0," + 4 * n32 + "]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[" + n16 + "],\"data_offsets\":[" + 4 * n32 + "," + (4 * n32 + 2 * n16) + "]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[" + n16 + "],\"data_offsets\":[" + (4 * n32 + 2 * n16) + "," + (4 * n32 + 4 * n16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 4 * n32 + 4 * n16).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        float[] f = new float[n32], b = new float[n16], half = new float[n16];
        for (int i = 0; i < n32; i++) buf.putFloat(f[i] = (float) Math.sin(i));
        for (int i = 0; i < n16; i++) {
            b[i] = (i % 509) - 254;                                 // small integers: exact in bf16
            buf.putShort((short) (Float.floatToIntBits(b[i]) >>> 16));
        }
        for (int i = 0; i < n16; i++) {
            half[i] = i % 2 == 0 ? 1f : -2.5f;
            buf.putShort(i % 2 == 0 ? (short) 0x3C00 : (short) 0xC100);
        }
        Path file = dir.resolve("long.safetensors");
        Files.write(file, buf.array());
        Map<String, WeightArray> w = Safetensors.read(file);
        assertArrayEquals(f, w.get("f").data(), 0f);
        assertArrayEquals(b, w.get("b").data(), 0f);
        assertArrayEquals(half, w.get("h").data(), 0f);
    }

    @Test
    void writesTensorsFromNativeMemoryAndRefusesNonFiniteValues(@TempDir Path dir) throws Exception {
        int n = 70_000;                                                  // longer than the writer's 16,384-float chunk
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) Math.sin(i) * 3;
        Path file = dir.resolve("native.safetensors");
        try (Scope s = Scope.open()) {
            dev.attune.engine.Tensor t = dev.attune.engine.Tensor.fromFloats(values, 2, n / 2);
            Safetensors.write(file, List.of(new Safetensors.Entry("x", t.shape(), t::floats)), Map.of());
            assertArrayEquals(values, Safetensors.read(file).get("x").data());

            float[] bad = values.clone();
            bad[n - 3] = Float.NaN;
            dev.attune.engine.Tensor nan = dev.attune.engine.Tensor.fromFloats(bad, 2, n / 2);
            byte[] before = Files.readAllBytes(file);
            var e = org.junit.jupiter.api.Assertions.assertThrows(WeightFormatException.class,
                    () -> Safetensors.write(file, List.of(new Safetensors.Entry("x", nan.shape(), nan::floats)), Map.of()));
            assertTrue(e.getMessage().contains("tensor x holds a non-finite value (NaN at index " + (n - 3) + ")"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file), "the file is left as it was");
        }
    }

    static void writeHalfFile(Path file, short[] f16, short[] bf16) throws Exception {
        String header = "{\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[8,16]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (short s : f16) buf.putShort(s);
        for (short s : bf16) buf.putShort(s);
        Files.write(file, buf.array());
    }
}
