package dev.attune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name: {dtype, shape, data_offsets: [begin, end]}}, optional {@code __metadata__}), then the raw tensors.
 * F32, F16 and BF16 are read (widened to F32); F32 is written, atomically (temporary file, then rename).
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    public static Map<String, WeightArray> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) throw new WeightFormatException(file + ": too short to be a safetensors file");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > 100_000_000 || 8 + headerLen > fileSize) {
                throw new WeightFormatException(file + ": invalid safetensors header length " + headerLen);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            ch.read(header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new WeightFormatException(file + ": safetensors header is not valid JSON", e);
            }
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            Map<String, WeightArray> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                if (name.equals("__metadata__")) continue;
                JsonNode t = e.getValue();
                String dtype = t.path("dtype").asText();
                int width = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> throw new WeightFormatException(file + ": tensor " + name + " has unsupported dtype " + dtype);
                };
                long[] shape = new long[t.path("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                    n *= shape[i];
                }
                long begin = t.path("data_offsets").path(0).asLong(-1), end = t.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataSize || end - begin != n * width) {
                    throw new WeightFormatException(file + ": tensor " + name + " has data_offsets [" + begin + ", " + end
                            + "] that do not fit its shape " + java.util.Arrays.toString(shape) + " or the file");
                }
                ByteBuffer bytes = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(bytes, dataStart + begin);
                bytes.flip();
                float[] data = new float[(int) n];
                switch (dtype) {
                    case "F32" -> bytes.asFloatBuffer().get(data);
                    case "BF16" -> {
                        for (int i = 0; i < n; i++) data[i] = Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
                    }
                    default -> {
                        for (int i = 0; i < n; i++) data[i] = halfToFloat(bytes.getShort());
                    }
                }
                String hfName = name.startsWith("bert.") ? name.substring(5) : name;
                out.put(hfName, new WeightArray(hfName, shape, data));
            }
            return out;
        } catch (IOException e) {
            throw new WeightFormatException(file + ": cannot read safetensors file (" + e.getMessage() + ")", e);
        }
    }

    /** IEEE 754 binary16 to float32, including subnormals, infinities and NaN. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float v = mant / 1024f * (float) Math.pow(2, -14);
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Writes tensors as F32 in the given order, with string metadata; replaces {@code file} atomically. */
    public static void write(Path file, Map<String, WeightArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (WeightArray w : tensors.values()) {
            ObjectNode t = header.putObject(w.name());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : w.shape()) shape.add(d);
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offset += 4L * w.data().length;
            offs.add(offset);
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep tensor data 8-byte aligned, as the reference writer does
        byte[] headerBytes = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (WeightArray w : tensors.values()) {
                for (float f : w.data()) {
                    if (!chunk.hasRemaining()) {
                        out.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    chunk.putFloat(f);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
