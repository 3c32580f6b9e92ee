package dev.attune.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over protocol-buffer wire format: just enough to walk ONNX and TensorFlow's BundleEntryProto.
 * Fields are read in order; unknown fields are skipped by wire type.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final ByteBuffer buf;
    private final int end;
    private int tag;

    ProtoReader(ByteBuffer buf, int start, int end) {
        this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.buf.position(start);
        this.end = end;
    }

    ProtoReader(byte[] bytes) {
        this(ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    /** Advances to the next field; false at the end of this message. */
    boolean next() {
        if (buf.position() >= end) return false;
        tag = (int) readVarint();
        return true;
    }

    boolean atEnd() {
        return buf.position() >= end;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long readVarint() {
        return varint(buf, end);
    }

    /** A base-128 varint at the buffer's position, which it advances; it may not run past {@code end}. */
    static long varint(ByteBuffer buf, int end) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (buf.position() >= end) throw new WeightFormatException("truncated varint");
            byte b = buf.get();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new WeightFormatException("malformed varint");
    }

    int readFixed32() {
        return buf.getInt();
    }

    /** A length-delimited field as a sub-reader; the cursor moves past it. */
    ProtoReader readMessage() {
        int len = readLength();
        int start = buf.position();
        buf.position(start + len);
        return new ProtoReader(buf, start, start + len);
    }

    /** A length-delimited field as [start, end) offsets into the underlying buffer. */
    int[] readSpan() {
        int len = readLength();
        int start = buf.position();
        buf.position(start + len);
        return new int[] {start, start + len};
    }

    String readString() {
        int len = readLength();
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    ByteBuffer buffer() {
        return buf;
    }

    private int readLength() {
        long len = readVarint();
        if (len < 0 || buf.position() + len > end) throw new WeightFormatException("length-delimited field runs past its message");
        return (int) len;
    }

    void skip() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> skipBytes(8);
            case LEN -> skipBytes(readLength());
            case FIXED32 -> skipBytes(4);
            default -> throw new WeightFormatException("unsupported protobuf wire type " + wireType());
        }
    }

    private void skipBytes(int n) {
        if (buf.position() + n > end) throw new WeightFormatException("field runs past its message");
        buf.position(buf.position() + n);
    }
}
