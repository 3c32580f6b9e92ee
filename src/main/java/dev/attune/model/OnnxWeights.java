package dev.attune.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the float initializers of an ONNX BERT export under their Hugging Face names.
 *
 * <p>Named initializers already carry the Hugging Face name. Anonymous ones ({@code onnx::MatMul_123}) are
 * the [in, out] right-hand side of exactly one MatMul node, whose node name
 * ({@code /encoder/layer.3/attention/self/query/MatMul}) gives the parameter; they are transposed to [out, in].
 * Only the protobuf fields needed for this are read (ModelProto.graph=7; GraphProto node=1, initializer=5;
 * NodeProto input=1, name=3, op_type=4; TensorProto dims=1, data_type=2, float_data=4, name=8, raw_data=9).
 */
public final class OnnxWeights {
    private static final int FLOAT = 1;

    private OnnxWeights() {}

    private record Initializer(String name, long[] dims, int dataType, ByteBuffer buf, int[] raw, int[] packedFloats) {}

    private record Node(String name, String opType, List<String> inputs) {}

    public static Map<String, WeightArray> read(Path file) {
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) throw new WeightFormatException(file + ": ONNX file over 2 GiB is not supported");
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (IOException e) {
            throw new WeightFormatException(file + ": cannot read ONNX file (" + e.getMessage() + ")", e);
        }
        try {
            return read(buf);
        } catch (WeightFormatException e) {
            throw new WeightFormatException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new WeightFormatException(file + ": not a readable ONNX model (" + e + ")", e);
        }
    }

    static Map<String, WeightArray> read(ByteBuffer file) {
        ProtoReader model = new ProtoReader(file, 0, file.limit());
        ProtoReader graph = null;
        while (model.next()) {
            if (model.field() == 7 && model.wireType() == ProtoReader.LEN) graph = model.readMessage();
            else model.skip();
        }
        if (graph == null) throw new WeightFormatException("no graph in ONNX model");

        List<Initializer> inits = new ArrayList<>();
        Map<String, Node> matmulByWeight = new HashMap<>();
        while (graph.next()) {
            if (graph.field() == 1 && graph.wireType() == ProtoReader.LEN) {
                Node n = readNode(graph.readMessage());
                if (n.opType().equals("MatMul") && n.inputs().size() == 2) matmulByWeight.put(n.inputs().get(1), n);
            } else if (graph.field() == 5 && graph.wireType() == ProtoReader.LEN) {
                inits.add(readInitializer(graph.readMessage()));
            } else {
                graph.skip();
            }
        }
        if (inits.isEmpty()) throw new WeightFormatException("ONNX graph has no initializers");

        Map<String, WeightArray> out = new LinkedHashMap<>();
        for (Initializer init : inits) {
            if (init.dataType() != FLOAT) continue; // shape constants, position ids
            Node consumer = matmulByWeight.get(init.name());
            WeightArray w = new WeightArray(init.name(), init.dims(), floats(init));
            if (init.name().startsWith("onnx::")) {
                if (consumer == null) continue; // a folded constant, not a parameter
                w = w.renamed(parameterNameOf(consumer.name())).transposed();
            } else if (consumer != null && !init.name().endsWith(".weight")) {
                w = w.renamed(init.name()).transposed();
            }
            String name = stripModelPrefix(w.name());
            out.put(name, w.renamed(name));
        }
        return out;
    }

    /** {@code /encoder/layer.3/attention/self/query/MatMul} → {@code encoder.layer.3.attention.self.query.weight}. */
    static String parameterNameOf(String matmulNode) {
        String s = matmulNode.startsWith("/") ? matmulNode.substring(1) : matmulNode;
        int cut = s.lastIndexOf('/');
        if (cut < 0) throw new WeightFormatException("MatMul node '" + matmulNode + "' does not name a layer");
        return s.substring(0, cut).replace('/', '.') + ".weight";
    }

    private static String stripModelPrefix(String name) {
        return name.startsWith("bert.") ? name.substring(5) : name;
    }

    private static Node readNode(ProtoReader r) {
        String name = "", op = "";
        List<String> inputs = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> inputs.add(r.readString());
                case 3 -> name = r.readString();
                case 4 -> op = r.readString();
                default -> r.skip();
            }
        }
        return new Node(name, op, inputs);
    }

    private static Initializer readInitializer(ProtoReader r) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        int[] raw = null, packed = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader packedDims = r.readMessage();
                        while (!packedDims.atEnd()) dims.add(packedDims.readVarint());
                    } else {
                        dims.add(r.readVarint());
                    }
                }
                case 2 -> dataType = (int) r.readVarint();
                case 4 -> {
                    if (r.wireType() == ProtoReader.LEN) packed = r.readSpan();
                    else r.skip();
                }
                case 8 -> name = r.readString();
                case 9 -> raw = r.readSpan();
                default -> r.skip();
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return new Initializer(name, shape, dataType, r.buffer(), raw, packed);
    }

    private static float[] floats(Initializer init) {
        int[] span = init.raw() != null ? init.raw() : init.packedFloats();
        if (span == null) throw new WeightFormatException(init.name() + ": initializer holds no data");
        int bytes = span[1] - span[0];
        long expected = 4;
        for (long d : init.dims()) expected *= d;
        if (bytes != expected) {
            throw new WeightFormatException(init.name() + ": " + bytes + " bytes of data for shape "
                    + java.util.Arrays.toString(init.dims()) + " (expected " + expected + ")");
        }
        float[] out = new float[bytes / 4];
        ByteBuffer b = init.buf().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(span[0]);
        b.asFloatBuffer().get(out);
        return out;
    }
}
