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
