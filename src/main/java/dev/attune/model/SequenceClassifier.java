package dev.attune.model;

import dev.attune.data.TokenBatch;
import dev.attune.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A text classifier: the BERT encoder, pooling, an optional {@code pre_classifier} layer (linear + activation),
 * dropout and a {@code classifier} linear layer over the labels. Parameter names follow Hugging Face
 * ({@code classifier.weight}; {@code pre_classifier} as in DistilBERT's head).
 */
public final class SequenceClassifier {
    private final BertModel encoder;
    private final HeadConfig head;
    private final List<String> labels;
    private final Map<String, Tensor> headParams;

    private SequenceClassifier(BertModel encoder, HeadConfig head, List<String> labels, Map<String, Tensor> headParams) {
        if (head.pooling().equals("pooler") && !encoder.hasPooler()) {
            throw new dev.attune.AttuneException("model.pooling: 'pooler' needs pooler weights, which this model does not have (use mean or cls)");
        }
        this.encoder = encoder;
        this.head = head;
        this.labels = List.copyOf(labels);
        this.headParams = headParams;
    }

    /** Shapes of the head's parameters for {@code numLabels} classes. */
    public static Map<String, long[]> headShapes(int hidden, HeadConfig head, int numLabels) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int in = hidden;
        if (head.intermediateSize() > 0) {
            m.put("pre_classifier.weight", new long[] {head.intermediateSize(), hidden});
            m.put("pre_classifier.bias", new long[] {head.intermediateSize()});
            in = head.intermediateSize();
        }
        m.put("classifier.weight", new long[] {numLabels, in});
        m.put("classifier.bias", new long[] {numLabels});
        return m;
    }

    /** A new head, weights drawn from N(0, 0.02²) and zero biases (Hugging Face's initializer_range), seeded. */
    public static SequenceClassifier create(BertModel encoder, HeadConfig head, List<String> labels, long seed) {
        if (labels.size() < 2) throw new dev.attune.AttuneException("a classifier needs at least two labels, found " + labels);
        Random r = new Random(seed);
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (var e : headShapes(encoder.config().hiddenSize(), head, labels.size()).entrySet()) {
            long[] s = e.getValue();
            float[] data = new float[(int) (s.length == 2 ? s[0] * s[1] : s[0])];
            if (s.length == 2) for (int i = 0; i < data.length; i++) data[i] = (float) (r.nextGaussian() * 0.02);
            params.put(e.getKey(), Tensor.fromFloats(data, s));
        }
        return new SequenceClassifier(encoder, head, labels, params);
    }

    /** The head read back from saved weights; {@code source} names the file in errors. */
    public static SequenceClassifier fromWeights(BertModel encoder, Map<String, WeightArray> weights, String source) {
        BertConfig c = encoder.config();
        if (c.head() == null || c.labels().isEmpty()) {
            throw new WeightFormatException(source + ": not a fine-tuned classifier (config.json has no id2label and attune_head)");
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (var e : headShapes(c.hiddenSize(), c.head(), c.labels().size()).entrySet()) {
            WeightArray w = weights.get(e.getKey());
            if (w == null) throw new WeightFormatException(source + ": missing tensor " + e.getKey());
            if (!java.util.Arrays.equals(w.shape(), e.getValue())) {
                throw new WeightFormatException(source + ": tensor " + e.getKey() + " has shape " + w.shapeString()
                        + ", expected " + java.util.Arrays.toString(e.getValue()));
            }
            params.put(e.getKey(), Tensor.fromFloats(w.data(), w.shape()));
        }
        return new SequenceClassifier(encoder, c.head(), c.labels(), params);
    }

    /**
     * This classifier with its encoder's weights in bf16 ({@link BertModel#inBf16}), for inference; the head stays
     * fp32. Itself when the encoder already is.
     */
    public SequenceClassifier inBf16() {
        return encoder.weightsInBf16() ? this : new SequenceClassifier(encoder.inBf16(), head, labels, headParams);
    }

    public BertModel encoder() {
        return encoder;
    }

    public HeadConfig head() {
        return head;
    }

    public List<String> labels() {
        return labels;
    }

    /** Every parameter by Hugging Face name: encoder ones first, then the head. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        encoder.parameters().forEach((name, t) -> {
            if (!name.startsWith("cls.")) all.put(name, t); // a masked-LM head plays no part in classification
        });
        all.putAll(headParams);
        return all;
    }

    /** Logits (B, C). */
    public Tensor forward(TokenBatch batch, Dropout dropout) {
        return classify(encoder.forward(batch, dropout), batch, dropout);
    }

    /** Logits (B, C) from the encoder's last hidden state (B, T, H): pooling, dropout and the head. */
    public Tensor classify(Tensor hidden, TokenBatch batch, Dropout dropout) {
        Tensor pooled = pool(hidden, batch);
        return head(encoder.weightsInBf16() ? pooled.toFloat32() : pooled, dropout);     // the head's weights are fp32
    }

    /**
     * This classifier with its encoder computing in bf16 for one training step that applies {@code dropout}
     * ({@link BertModel#castForStep}).
     */
    public SequenceClassifier castForStep(Dropout dropout) {
        return new SequenceClassifier(encoder.castForStep(dropout), head, labels, headParams);
    }

    /** The vector the head reads (B, H): [CLS], the pooler's output or the mean of the real tokens, as configured. */
    public Tensor pool(Tensor hidden, TokenBatch batch) {
        return switch (head.pooling()) {
            case "cls" -> hidden.select(1, 0);                                               // (B, H)
            case "pooler" -> encoder.pool(hidden);
            default -> BertModel.meanPool(hidden, batch);
        };
    }

    /** Logits (B, C) from the pooled vectors (B, H). */
    public Tensor head(Tensor pooled, Dropout dropout) {
        Tensor x = dropout.apply(pooled, head.dropout());
        if (head.intermediateSize() > 0) {
            x = x.linear(headParams.get("pre_classifier.weight"), headParams.get("pre_classifier.bias"));
            x = switch (head.activation()) {
                case "relu" -> x.relu();
                case "tanh" -> x.tanh();
                default -> x.gelu();
            };
            x = dropout.apply(x, head.dropout());
        }
        return x.linear(headParams.get("classifier.weight"), headParams.get("classifier.bias"));  // (B, C)
    }

    /** The config.json of this classifier: labels, head, architecture. */
    public BertConfig config() {
        Map<String, String> id2label = new LinkedHashMap<>();
        Map<String, Integer> label2id = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(String.valueOf(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        BertConfig c = encoder.config().withLabels(id2label, label2id).withHead(head);
        if (isHuggingFaceHead()) return c.withArchitectures(List.of("BertForSequenceClassification")).withModelType("bert");
        // any other head would load in Hugging Face as BertForSequenceClassification with a fresh pooler and other
        // outputs: under its own model type, the Auto classes refuse it instead (the encoder still loads as BertModel)
        return c.withArchitectures(List.of(ATTUNE_ARCHITECTURE)).withModelType(ATTUNE_MODEL_TYPE);
    }

    /** The names a classifier with a head that Hugging Face does not have is saved under. */
    public static final String ATTUNE_ARCHITECTURE = "AttuneBertForSequenceClassification", ATTUNE_MODEL_TYPE = "attune_bert";

    /**
     * True when this head is Hugging Face's BertForSequenceClassification head exactly (the pooler's tanh(dense([CLS])),
     * dropout, one linear layer), so the saved directory loads there with the same outputs.
     */
    public boolean isHuggingFaceHead() {
        return "pooler".equals(head.pooling()) && head.intermediateSize() == 0;
    }

    /** Every parameter copied to Java arrays, encoder ones under {@code bert.} as Hugging Face saves them. */
    public Map<String, WeightArray> stateDict() {
        Map<String, WeightArray> out = new LinkedHashMap<>();
        for (Safetensors.Entry e : weights()) {
            float[] values = new float[(int) e.count()];
            e.values().get().get(values);
            out.put(e.name(), new WeightArray(e.name(), e.shape(), values));
        }
        return out;
    }

    /**
     * Every parameter under the name Hugging Face saves it by (encoder ones under {@code bert.}), each read from its
     * native memory only when asked: a writer holds one tensor at a time, and no copy of it in the Java heap.
     */
    public List<Safetensors.Entry> weights() {
        List<Safetensors.Entry> out = new java.util.ArrayList<>();
        parameters().forEach((name, t) -> {
            String saved = name.startsWith("classifier.") || name.startsWith("pre_classifier.") || name.startsWith("cls.") ? name : "bert." + name;
            out.add(new Safetensors.Entry(saved, t.shape(), t::floats));
        });
        return out;
    }
}
