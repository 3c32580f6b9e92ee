package dev.attune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;

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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name: {dtype, shape, data_offsets: [begin, end]}}, optional {@code __metadata__}), then the raw tensors.
 * F32, F16 and BF16 are read (widened to F32); F32 is written, atomically (temporary file, then rename).
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Safetensors() {}

    /**
     * Reads every tensor, widened to F32. The byte accounting is exact, as the reference implementation checks it:
     * the header is one JSON object followed only by space padding, every tensor's byte range matches its dtype and
     * shape, and the ranges tile the data region with no gap, overlap or trailing byte. Values must be finite.
     */
    public static Map<String, WeightArray> read(Path file) {
        Map<String, WeightArray> out = new LinkedHashMap<>();
        forEach(file, w -> out.put(w.name(), w));
        return out;
    }

    /**
     * As {@link #read}, handing each tensor to {@code sink} as soon as it is read, so only one tensor's values are
     * held at a time (restoring bert-base-uncased from a whole-file map took about 0.9 GB of Java heap). The header
     * is checked in full before the first tensor is read.
     */
    public static void forEach(Path file, java.util.function.Consumer<WeightArray> sink) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) throw new WeightFormatException(file + ": too short to be a safetensors file");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 1 || headerLen > 100_000_000 || 8 + headerLen > fileSize) {
                throw new WeightFormatException(file + ": invalid safetensors header length " + headerLen + " (file has " + fileSize + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                String text = StandardCharsets.UTF_8.newDecoder().decode(header.flip()).toString();
                if (!text.startsWith("{")) throw new WeightFormatException(file + ": safetensors header does not start with '{'");
                root = JSON.readTree(text.stripTrailing());
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new WeightFormatException(file + ": safetensors header is not UTF-8 (header length " + headerLen + " is wrong or the file is corrupt)");
            } catch (IOException e) {
                throw new WeightFormatException(file + ": safetensors header is not one JSON object (" + AttuneException.firstLine(e.getMessage()) + ")");
            }
            if (root == null || !root.isObject()) throw new WeightFormatException(file + ": safetensors header is not a JSON object");
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            record Entry(String name, String dtype, long[] shape, long count, long begin, long end) {}
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                if (name.equals("__metadata__")) continue;
                JsonNode t = e.getValue();
                String dtype = t.path("dtype").asText();
                int width = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> throw new WeightFormatException(file + ": tensor " + name + " has unsupported dtype '" + dtype + "'");
                };
                JsonNode shapeNode = t.path("shape");
                if (!shapeNode.isArray()) throw new WeightFormatException(file + ": tensor " + name + " has no shape");
                long[] shape = new long[shapeNode.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    JsonNode dim = shapeNode.get(i);
                    if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
                        throw new WeightFormatException(file + ": tensor " + name + " has an invalid shape " + shapeNode);
                    }
                    shape[i] = dim.asLong();
                    try {
                        n = Math.multiplyExact(n, shape[i]);
                    } catch (ArithmeticException overflow) {
                        throw new WeightFormatException(file + ": tensor " + name + " has a shape too large to exist " + shapeNode);
                    }
                }
                JsonNode offsets = t.path("data_offsets");
                long begin = offsets.size() == 2 && offsets.get(0).isIntegralNumber() ? offsets.get(0).asLong(-1) : -1;
                long end = offsets.size() == 2 && offsets.get(1).isIntegralNumber() ? offsets.get(1).asLong(-1) : -1;
                if (begin < 0 || end < begin || end > dataSize || n > Integer.MAX_VALUE - 8 || end - begin != n * width) {
                    throw new WeightFormatException(file + ": tensor " + name + " has data_offsets [" + begin + ", " + end
                            + "] that do not fit its shape " + java.util.Arrays.toString(shape) + " and dtype " + dtype
                            + " or the data region of " + dataSize + " bytes");
                }
                entries.add(new Entry(name, dtype, shape, n, begin, end));
            }
            // the byte ranges must tile the data region exactly
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(java.util.Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long expected = 0;
            for (Entry e : byOffset) {
                if (e.begin() != expected) {
                    throw new WeightFormatException(file + ": tensor " + e.name() + " starts at byte " + e.begin() + " of the data region, expected "
                            + expected + (e.begin() < expected ? " (overlapping tensors)" : " (a gap)"));
                }
                expected = e.end();
            }
            if (expected != dataSize) {
                throw new WeightFormatException(file + ": the tensors cover " + expected + " bytes but the data region after the "
                        + headerLen + "-byte header has " + dataSize + " (wrong header length, or a truncated or extended file)");
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            // read through one small buffer: the heap holds each tensor's values once, not its bytes as well
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                float[] data = new float[(int) e.count()];
                int width = e.dtype().equals("F32") ? 4 : 2;
                long position = dataStart + e.begin();
                for (int done = 0; done < data.length; ) {
                    int n = Math.min(data.length - done, CHUNK_BYTES / width);
                    chunk.clear().limit(n * width);
                    readFully(ch, chunk, position);
                    chunk.flip();
                    position += (long) n * width;
                    switch (e.dtype()) {
                        case "F32" -> chunk.asFloatBuffer().get(data, done, n);
                        case "BF16" -> {
                            for (int i = 0; i < n; i++) data[done + i] = Float.intBitsToFloat((chunk.getShort() & 0xffff) << 16);
                        }
                        default -> {
                            for (int i = 0; i < n; i++) data[done + i] = halfToFloat(chunk.getShort());
                        }
                    }
                    done += n;
                }
                String hfName = e.name().startsWith("bert.") ? e.name().substring(5) : e.name();
                if (!seen.add(hfName)) throw new WeightFormatException(file + ": tensor " + hfName + " appears twice");
                WeightArray w = new WeightArray(hfName, e.shape(), data);
                w.requireFinite(file.toString());
                sink.accept(w);
            }
        } catch (IOException e) {
            throw new WeightFormatException(file + ": cannot read safetensors file (" + e.getMessage() + ")", e);
        }
    }

    private static final int CHUNK_BYTES = 1 << 20;

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += n;
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
        write(file, entries(tensors), metadata);
    }

    /** Tensors already in Java arrays, as entries to write. */
    public static List<Entry> entries(Map<String, WeightArray> tensors) {
        List<Entry> entries = new java.util.ArrayList<>();
        for (WeightArray w : tensors.values()) entries.add(new Entry(w.name(), w.shape(), () -> java.nio.FloatBuffer.wrap(w.data())));
        return entries;
    }

    /**
     * A tensor to write: its name and shape, and its values, asked for only when they are written (a Java array
     * wrapped, or a view of a tensor's native memory, which then never passes through the Java heap).
     */
    public record Entry(String name, long[] shape, java.util.function.Supplier<java.nio.FloatBuffer> values) {
        long count() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    /**
     * Writes tensors as F32 in the given order, with string metadata, asking each for its values only when it is
     * written, so only one tensor's values are in the Java heap at a time; replaces {@code file} atomically. A
     * non-finite value ends the write with an error naming the tensor, and {@code file} is left as it was.
     */
    public static void write(Path file, List<Entry> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry w : tensors) {
            ObjectNode t = header.putObject(w.name());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : w.shape()) shape.add(d);
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offset += 4L * w.count();
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
            var floats = chunk.asFloatBuffer();
            for (Entry e : tensors) {
                java.nio.FloatBuffer data = e.values().get();
                if (data.remaining() != e.count()) throw new IllegalStateException(e.name() + ": " + data.remaining() + " values for " + e.count());
                WeightArray.requireFinite(data, file.toString(), e.name()); // never write a model that cannot work
                for (int i = data.position(); i < data.limit(); ) {
                    int n = Math.min(floats.capacity(), data.limit() - i);
                    floats.clear();
                    floats.put(data.duplicate().limit(i + n).position(i));
                    out.write(chunk.array(), 0, 4 * n);
                    i += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
