package dev.attune.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Reads a TensorFlow v2 checkpoint ({@code variables.index} + {@code variables.data-00000-of-00001}) of a BERT model
 * into Hugging Face names.
 *
 * <p>The index is a LevelDB-format table: a 48-byte footer (metaindex and index block handles, magic
 * 0xdb4775248b80fb57), an index block pointing at data blocks, each block a run of prefix-compressed entries
 * (varint shared, non_shared, value_len, key suffix, value) followed by restart offsets and a 5-byte trailer
 * (compression type, masked CRC32C). Values are BundleEntryProto (dtype=1, shape=2, shard_id=3, offset=4, size=5,
 * crc32c=6). Tensor data are raw little-endian floats in the data shard; their CRC32C is checked.
 */
public final class TfCheckpointWeights {
    private static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int DT_FLOAT = 1;
    private static final Pattern LAYER = Pattern.compile("layer_(\\d+)");

    private TfCheckpointWeights() {}

    record Entry(String key, int dtype, long[] shape, int shard, long offset, long size, Integer crc) {}

    /** Reads every float variable of the checkpoint whose index file is {@code indexFile}. */
    public static Map<String, WeightArray> read(Path indexFile) {
        Path dataFile = indexFile.resolveSibling(
                indexFile.getFileName().toString().replace(".index", ".data-00000-of-00001"));
        Map<String, Entry> entries;
        try {
            entries = readIndex(ByteBuffer.wrap(Files.readAllBytes(indexFile)).order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException e) {
            throw new WeightFormatException(indexFile + ": cannot read checkpoint index (" + e.getMessage() + ")", e);
        } catch (WeightFormatException e) {
            throw new WeightFormatException(indexFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new WeightFormatException(indexFile + ": not a TensorFlow checkpoint index (" + e + ")", e);
        }
        Map<String, WeightArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.READ)) {
            for (Entry e : entries.values()) {
                if (e.dtype() != DT_FLOAT || e.shard() != 0) continue;
                String name = huggingFaceName(e.key());
                if (name == null) continue;
                long values = 1;
                for (long d : e.shape()) {
                    if (d < 0 || (values = values * d) > Integer.MAX_VALUE / 4) values = -1;
                    if (values < 0) break;
                }
                if (values < 0 || e.offset() < 0 || e.size() != 4 * values) {
                    throw new WeightFormatException(indexFile + ": tensor " + e.key() + " has size " + e.size() + " for shape "
                            + java.util.Arrays.toString(e.shape()) + " at offset " + e.offset() + " (corrupt index)");
                }
                if (e.offset() + e.size() > ch.size()) {
                    throw new WeightFormatException(dataFile + ": tensor " + e.key() + " lies past the end of the file");
                }
                ByteBuffer bytes = ByteBuffer.allocate((int) e.size()).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(bytes, e.offset());
                bytes.flip();
                if (e.crc() != null) {
                    CRC32C crc = new CRC32C();
                    crc.update(bytes.duplicate());
                    if (mask((int) crc.getValue()) != e.crc()) {
                        throw new WeightFormatException(dataFile + ": checksum mismatch in tensor " + e.key() + " (corrupt file)");
                    }
                }
                float[] data = new float[(int) (e.size() / 4)];
                bytes.asFloatBuffer().get(data);
                WeightArray w = new WeightArray(name, e.shape(), data);
                if (e.key().endsWith("/kernel")) w = w.transposed();
                out.put(name, w);
            }
        } catch (IOException e) {
            throw new WeightFormatException(dataFile + ": cannot read checkpoint data (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** LevelDB's CRC mask: rotate right by 15 and add a constant. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    /**
     * {@code module/bert/encoder/layer_3/attention/self/query/kernel} → {@code encoder.layer.3.attention.self.query.weight};
     * null for variables that are not model parameters (optimizer slots, global step).
     */
    static String huggingFaceName(String tfName) {
        String s = tfName.startsWith("module/") ? tfName.substring("module/".length()) : tfName;
        if (s.contains("adam_") || s.equals("global_step")) return null;
        if (s.startsWith("bert/")) s = s.substring("bert/".length());
        else if (!s.startsWith("cls/")) return null;
        Matcher m = LAYER.matcher(s);
        s = m.replaceAll("layer.$1").replace('/', '.');
        if (s.equals("cls.predictions.output_bias")) return "cls.predictions.bias";
        if (s.equals("cls.seq_relationship.output_weights")) return "cls.seq_relationship.weight";
        if (s.equals("cls.seq_relationship.output_bias")) return "cls.seq_relationship.bias";
        if (s.endsWith(".kernel") || s.endsWith(".gamma")) return s.substring(0, s.lastIndexOf('.')) + ".weight";
        if (s.endsWith(".beta")) return s.substring(0, s.lastIndexOf('.')) + ".bias";
        if (s.startsWith("embeddings.") && s.endsWith("_embeddings")) return s + ".weight";
        return s;
    }

    static Map<String, Entry> readIndex(ByteBuffer file) {
        if (file.limit() < 48) throw new WeightFormatException("file too short for a table footer");
        if (file.getLong(file.limit() - 8) != MAGIC) throw new WeightFormatException("bad table magic number");
        ByteBuffer footer = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        footer.position(file.limit() - 48);
        varint(footer); // metaindex offset
        varint(footer); // metaindex size
        long indexOffset = varint(footer), indexSize = varint(footer);
        Map<String, Entry> out = new LinkedHashMap<>();
        for (var handle : blockEntries(file, indexOffset, indexSize).values()) {
            ByteBuffer h = ByteBuffer.wrap(handle).order(ByteOrder.LITTLE_ENDIAN);
            long off = varint(h), size = varint(h);
            for (var e : blockEntries(file, off, size).entrySet()) {
                if (e.getKey().isEmpty()) continue; // the bundle header
                out.put(e.getKey(), parseEntry(e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    /** Key → value of every entry in one block, after checking its trailer. */
    private static Map<String, byte[]> blockEntries(ByteBuffer file, long offset, long size) {
        if (offset < 0 || offset + size + 5 > file.limit()) throw new WeightFormatException("block handle out of range");
        int start = (int) offset, end = (int) (offset + size);
        if (file.get(end) != 0) throw new WeightFormatException("compressed blocks are not supported");
        CRC32C crc = new CRC32C();
        ByteBuffer span = file.duplicate();
        span.position(start).limit(end + 1); // contents plus the type byte
        crc.update(span);
        if (mask((int) crc.getValue()) != file.getInt(end + 1)) throw new WeightFormatException("block checksum mismatch (corrupt index)");

        int numRestarts = file.getInt(end - 4);
        int entriesEnd = end - 4 - 4 * numRestarts;
        ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(start).limit(entriesEnd);
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] key = new byte[0];
        while (b.hasRemaining()) {
            int shared = (int) varint(b), nonShared = (int) varint(b), valueLen = (int) varint(b);
            byte[] k = new byte[shared + nonShared];
            System.arraycopy(key, 0, k, 0, shared);
            b.get(k, shared, nonShared);
            byte[] v = new byte[valueLen];
            b.get(v);
            key = k;
            out.put(new String(k, java.nio.charset.StandardCharsets.UTF_8), v);
        }
        return out;
    }

    private static Entry parseEntry(String key, byte[] value) {
        ProtoReader r = new ProtoReader(value);
        int dtype = 0, shard = 0;
        long offset = 0, size = 0;
        Integer crc = null;
        java.util.List<Long> dims = new java.util.ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dtype = (int) r.readVarint();
                case 2 -> {
                    ProtoReader shape = r.readMessage();
                    while (shape.next()) {
                        if (shape.field() == 2) {
                            ProtoReader dim = shape.readMessage();
                            while (dim.next()) {
                                if (dim.field() == 1) dims.add(dim.readVarint());
                                else dim.skip();
                            }
                        } else {
                            shape.skip();
                        }
                    }
                }
                case 3 -> shard = (int) r.readVarint();
                case 4 -> offset = r.readVarint();
                case 5 -> size = r.readVarint();
                case 6 -> crc = r.readFixed32();
                default -> r.skip();
            }
        }
        return new Entry(key, dtype, dims.stream().mapToLong(Long::longValue).toArray(), shard, offset, size, crc);
    }

    private static long varint(ByteBuffer b) {
        return ProtoReader.varint(b, b.limit());
    }
}
