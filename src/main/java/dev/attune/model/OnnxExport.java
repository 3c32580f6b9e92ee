package dev.attune.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole fine-tuned classifier as one ONNX graph (opset 17): token ids, attention mask and token type ids in
 * (int64, batch × sequence), class probabilities out (float, batch × labels), with the calibration temperature
 * applied as attune applies it when serving. Built from the model's own weights in plain Java (protocol-buffer
 * encoding by hand), so any ONNX runtime can serve the model without attune.
 */
public final class OnnxExport {
    private static final int FLOAT = 1, INT64 = 7;
    private static final int ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_INTS = 7;

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private int counter;

    private OnnxExport() {}

    /**
     * @param temperature the calibration temperature the served probabilities use (1 for none)
     */
    public static void write(SequenceClassifier classifier, double temperature, Path file) throws IOException {
        byte[] model = new OnnxExport().build(classifier, temperature);
        dev.attune.report.RunFiles.writeAtomically(file, model);
    }

    private byte[] build(SequenceClassifier clf, double temperature) {
        BertConfig c = clf.encoder().config();
        Map<String, dev.attune.engine.Tensor> p = clf.parameters();
        int h = c.hiddenSize(), nh = c.numAttentionHeads(), hs = c.headSize();
        float eps = (float) c.layerNormEps();

        // embeddings: word + position (0..T-1) + token type, LayerNorm
        String word = op("Gather", List.of(weight(p, "embeddings.word_embeddings.weight"), "input_ids"), Map.of());
        String seqLen = op("Gather", List.of(op("Shape", List.of("input_ids"), Map.of()), constLongs("one", new long[] {1}, new long[0])), Map.of("axis", 0L));
        String positions = op("Range", List.of(constLongs("zero", new long[] {0}, new long[0]), seqLen, constLongs("step", new long[] {1}, new long[0])), Map.of());
        String pos = op("Gather", List.of(weight(p, "embeddings.position_embeddings.weight"), positions), Map.of());
        String types = op("Gather", List.of(weight(p, "embeddings.token_type_embeddings.weight"), "token_type_ids"), Map.of());
        String x = layerNorm(op("Add", List.of(op("Add", List.of(word, pos), Map.of()), types), Map.of()), p, "embeddings.LayerNorm", eps);

        // 0 for real tokens, the most negative float for padding: (B, 1, 1, T), as attune and Hugging Face build it
        String maskF = op("Cast", List.of("attention_mask"), Map.of("to", (long) FLOAT));
        String notMask = op("Sub", List.of(constFloats("f_one", new float[] {1f}, new long[0]), maskF), Map.of());
        String bias = op("Mul", List.of(notMask, constFloats("f_lowest", new float[] {-Float.MAX_VALUE}, new long[0])), Map.of());
        String maskBias = op("Unsqueeze", List.of(bias, constLongs("axes12", new long[] {1, 2}, new long[] {2})), Map.of());

        String headsShape = constLongs("heads_shape", new long[] {0, 0, nh, hs}, new long[] {4});
        String mergedShape = constLongs("merged_shape", new long[] {0, 0, h}, new long[] {3});
        String scale = constFloats("scale", new float[] {(float) (1.0 / Math.sqrt(hs))}, new long[0]);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String pre = dev.attune.LayerNames.encoderLayer(l) + ".";
            String q = op("Transpose", List.of(op("Reshape", List.of(linear(x, p, pre + "attention.self.query"), headsShape), Map.of())), Map.of("perm", new long[] {0, 2, 1, 3}));
            String k = op("Transpose", List.of(op("Reshape", List.of(linear(x, p, pre + "attention.self.key"), headsShape), Map.of())), Map.of("perm", new long[] {0, 2, 3, 1}));
            String v = op("Transpose", List.of(op("Reshape", List.of(linear(x, p, pre + "attention.self.value"), headsShape), Map.of())), Map.of("perm", new long[] {0, 2, 1, 3}));
            String scores = op("Add", List.of(op("Mul", List.of(op("MatMul", List.of(q, k), Map.of()), scale), Map.of()), maskBias), Map.of());
            String probs = op("Softmax", List.of(scores), Map.of("axis", -1L));
            String context = op("Reshape", List.of(op("Transpose", List.of(op("MatMul", List.of(probs, v), Map.of())), Map.of("perm", new long[] {0, 2, 1, 3})), mergedShape), Map.of());
            x = layerNorm(op("Add", List.of(linear(context, p, pre + "attention.output.dense"), x), Map.of()), p, pre + "attention.output.LayerNorm", eps);
            String ff = gelu(linear(x, p, pre + "intermediate.dense"));
            x = layerNorm(op("Add", List.of(linear(ff, p, pre + "output.dense"), x), Map.of()), p, pre + "output.LayerNorm", eps);
        }

        HeadConfig head = clf.head();
        String pooled = switch (head.pooling()) {
            case "cls" -> op("Gather", List.of(x, constLongs("first", new long[] {0}, new long[0])), Map.of("axis", 1L));
            case "pooler" -> op("Tanh", List.of(linear(op("Gather", List.of(x, constLongs("first", new long[] {0}, new long[0])), Map.of("axis", 1L)), p, "pooler.dense")), Map.of());
            default -> {
                // mean of the real tokens: sum(x * mask, 1) / max(sum(mask, 1), 1e-9)
                String m3 = op("Unsqueeze", List.of(maskF, constLongs("axis2", new long[] {2}, new long[] {1})), Map.of());
                String axis1 = constLongs("axis1", new long[] {1}, new long[] {1});
                String summed = op("ReduceSum", List.of(op("Mul", List.of(x, m3), Map.of()), axis1), Map.of("keepdims", 0L));
                String count = op("Max", List.of(op("ReduceSum", List.of(m3, axis1), Map.of("keepdims", 0L)), constFloats("tiny", new float[] {1e-9f}, new long[0])), Map.of());
                yield op("Div", List.of(summed, count), Map.of());
            }
        };
        String y = pooled;
        if (head.intermediateSize() > 0) {
            y = linear(y, p, "pre_classifier");
            y = switch (head.activation()) {
                case "relu" -> op("Relu", List.of(y), Map.of());
                case "tanh" -> op("Tanh", List.of(y), Map.of());
                default -> gelu(y);
            };
        }
        String logits = linear(y, p, "classifier");
        if (temperature != 1.0) logits = op("Div", List.of(logits, constFloats("temperature", new float[] {(float) temperature}, new long[0])), Map.of());
        nodes.add(node("Softmax", List.of(logits), "probabilities", Map.of("axis", -1L)));

        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter n : nodes) graph.message(1, n);
        graph.string(2, "attune_classifier");
        for (ProtoWriter t : initializers) graph.message(5, t);
        for (String in : List.of("input_ids", "attention_mask", "token_type_ids")) graph.message(11, valueInfo(in, INT64, "batch", "sequence"));
        graph.message(12, valueInfo("probabilities", FLOAT, "batch", String.valueOf(clf.labels().size())));
        ProtoWriter model = new ProtoWriter().varint(1, 8).string(2, "attune").string(3, "0.1.0");
        model.message(7, graph);
        model.message(8, new ProtoWriter().string(1, "").varint(2, 17));
        ProtoWriter labels = new ProtoWriter().string(1, "labels").string(2, String.join(",", clf.labels()));
        model.message(14, labels);
        return model.toByteArray();
    }

    private String linear(String x, Map<String, dev.attune.engine.Tensor> p, String prefix) {
        dev.attune.engine.Tensor w = p.get(prefix + ".weight");
        long[] s = w.shape();                                                    // (out, in), as Hugging Face stores it
        float[] data = w.toFloats(), t = new float[data.length];
        int out = (int) s[0], in = (int) s[1];
        for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) t[i * out + o] = data[o * in + i];
        String wt = initializer(prefix + ".weight.T", t, new long[] {in, out});
        return op("Add", List.of(op("MatMul", List.of(x, wt), Map.of()), weight(p, prefix + ".bias")), Map.of());
    }

    private String layerNorm(String x, Map<String, dev.attune.engine.Tensor> p, String prefix, float eps) {
        return op("LayerNormalization", List.of(x, weight(p, prefix + ".weight"), weight(p, prefix + ".bias")), Map.of("axis", -1L, "epsilon", eps));
    }

    /** Exact GELU: 0.5 x (1 + erf(x / √2)). */
    private String gelu(String x) {
        String erf = op("Erf", List.of(op("Div", List.of(x, constFloats("sqrt2", new float[] {(float) Math.sqrt(2)}, new long[0])), Map.of())), Map.of());
        String onePlus = op("Add", List.of(erf, constFloats("f_one", new float[] {1f}, new long[0])), Map.of());
        return op("Mul", List.of(op("Mul", List.of(x, onePlus), Map.of()), constFloats("half", new float[] {0.5f}, new long[0])), Map.of());
    }

    private String weight(Map<String, dev.attune.engine.Tensor> p, String name) {
        dev.attune.engine.Tensor t = p.get(name);
        if (t == null) throw new IllegalStateException("no parameter " + name);
        return initializer(name, t.toFloats(), t.shape());
    }

    private final java.util.Set<String> named = new java.util.HashSet<>();

    private String initializer(String name, float[] data, long[] dims) {
        if (!named.add(name)) return name;
        ProtoWriter t = new ProtoWriter().packed(1, dims).varint(2, FLOAT).string(8, name).bytes(9, ProtoWriter.littleEndian(data));
        initializers.add(t);
        return name;
    }

    private String constFloats(String name, float[] data, long[] dims) {
        return initializer(name, data, dims);
    }

    private String constLongs(String name, long[] data, long[] dims) {
        if (!named.add(name)) return name;
        initializers.add(new ProtoWriter().packed(1, dims).varint(2, INT64).string(8, name).bytes(9, ProtoWriter.littleEndian(data)));
        return name;
    }

    private String op(String type, List<String> inputs, Map<String, Object> attributes) {
        String out = type.toLowerCase(java.util.Locale.ROOT) + "_" + (counter++);
        nodes.add(node(type, inputs, out, attributes));
        return out;
    }

    private ProtoWriter node(String type, List<String> inputs, String output, Map<String, Object> attributes) {
        ProtoWriter n = new ProtoWriter();
        for (String in : inputs) n.string(1, in);
        n.string(2, output);
        n.string(3, output);
        n.string(4, type);
        for (var a : new java.util.TreeMap<>(attributes).entrySet()) {
            ProtoWriter at = new ProtoWriter().string(1, a.getKey());
            if (a.getValue() instanceof Long v) at.varint(3, v).varint(20, ATTR_INT);
            else if (a.getValue() instanceof Float v) at.fixed32(2, v).varint(20, ATTR_FLOAT);
            else if (a.getValue() instanceof long[] v) {
                for (long e : v) at.varint(8, e);
                at.varint(20, ATTR_INTS);
            } else throw new IllegalArgumentException("attribute " + a.getKey());
            n.message(5, at);
        }
        return n;
    }

    private static ProtoWriter valueInfo(String name, int elemType, String... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (String d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d.chars().allMatch(Character::isDigit)) dim.varint(1, Long.parseLong(d));
            else dim.string(2, d);
            shape.message(1, dim);
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, elemType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }
}
