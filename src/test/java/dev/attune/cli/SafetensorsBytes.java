package dev.attune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Byte-level surgery on safetensors files, to make the corrupt files a reader must refuse. */
final class SafetensorsBytes {
    private SafetensorsBytes() {}

    static long headerLength(byte[] b) {
        return ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Overwrites the {@code index}-th float of the data region (the first tensor's values come first). */
    static void putFloat(Path file, int index, float value) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int at = (int) (8 + headerLength(b)) + 4 * index;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, value);
        Files.write(file, b);
    }

    /** Sets {@code count} floats of the data region from {@code index} on to {@code value}. */
    static void fillFloats(Path file, int index, int count, float value) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) (8 + headerLength(b)) + 4 * index;
        for (int i = 0; i < count; i++) buf.putFloat(at + 4 * i, value);
        Files.write(file, b);
    }

    /** Adds {@code delta} to the 8-byte header length and appends {@code extra} zero bytes. */
    static void addToHeaderLength(Path file, long delta, int extra) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerLength(b) + delta);
        byte[] out = java.util.Arrays.copyOf(b, b.length + extra);
        Files.write(file, out);
    }

    /** Rewrites the JSON header after {@code edit}, keeping the data region as it is. */
    static void editHeader(Path file, Consumer<ObjectNode> edit) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int len = (int) headerLength(b);
        ObjectNode header = (ObjectNode) new ObjectMapper().readTree(new String(b, 8, len, StandardCharsets.UTF_8));
        edit.accept(header);
        write(file, header.toString(), java.util.Arrays.copyOfRange(b, 8 + len, b.length));
    }

    /** Pads the header with {@code spaces} trailing spaces, as writers do to align the data region. */
    static void padHeader(Path file, int spaces) throws IOException {
        byte[] b = Files.readAllBytes(file);
        replaceHeader(file, new String(b, 8, (int) headerLength(b), StandardCharsets.UTF_8) + " ".repeat(spaces));
    }

    /** Replaces the header text, keeping the data region. */
    static void replaceHeader(Path file, String header) throws IOException {
        byte[] b = Files.readAllBytes(file);
        write(file, header, java.util.Arrays.copyOfRange(b, 8 + (int) headerLength(b), b.length));
    }

    private static void write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data);
        Files.write(file, out.array());
    }
}
