package dev.attune.model;

import dev.attune.data.TokenBatch;
import dev.attune.engine.Autocast;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder as in Hugging Face's {@code modeling_bert.py}: word, position and token-type embeddings with
 * LayerNorm; N post-LayerNorm layers of multi-head self-attention and an exact-GELU feed-forward. Parameters carry
 * the Hugging Face names ({@code encoder.layer.3.attention.self.query.weight}); optional pooler
 * ({@code pooler.dense.*}) and masked-LM head ({@code cls.predictions.*}, decoder tied to the word embeddings).
 */
public final class BertModel {
    private final BertConfig config;
    private final Map<String, Tensor> params;
    private final boolean precise;
    private final boolean inBf16;
    private final Folded folded;
    private final Map<String, dev.attune.engine.PackedLinear> packed;       // inference in bf16: by layer prefix

    /**
     * Constant factors a training step's weights carry ({@link #castForStep}), so no pass over the activations
     * applies them: the attention scale 1/√d in the query projection, and dropout's 1/(1 − p) in the weights that
     * read each dropped tensor.
     */
    private enum Folded { NOTHING, ATTENTION_SCALE, ATTENTION_AND_DROPOUT_SCALES }

    private BertModel(BertConfig config, Map<String, Tensor> params, boolean precise) {
        this(config, params, precise, false, Folded.NOTHING);
    }

    private BertModel(BertConfig config, Map<String, Tensor> params, boolean precise, boolean inBf16, Folded folded) {
        this(config, params, precise, inBf16, folded, Map.of());
    }

    private BertModel(BertConfig config, Map<String, Tensor> params, boolean precise, boolean inBf16, Folded folded,
                      Map<String, dev.attune.engine.PackedLinear> packed) {
        this.config = config;
        this.params = params;
        this.precise = precise;
        this.inBf16 = inBf16;
        this.folded = folded;
        this.packed = packed;
    }

    /**
     * The same model (sharing its parameters) with two numerically sensitive parts kept in fp32 under bf16 autocast,
     * or run entirely as autocast decides (as PyTorch does; a third faster for training). The two parts are the
     * attention core (scores, softmax, weighted sum) and the feed-forward expansion {@code intermediate.dense},
     * whose bf16-rounded output, amplified by the layers above, cost bge-small-en-v1.5 a cosine of 0.99899 to its
     * fp32 embedding on a long repetitive text (AVX512-BF16 kernels; 0.99911 with AMX). With both in fp32 the worst
     * of the parity texts is 0.99990 on either kind of CPU, at about the speed of the all-bf16 forward pass.
     * Models start precise; training switches it off.
     */
    public BertModel withPreciseBf16(boolean on) {
        return on == precise ? this : new BertModel(config, params, on, inBf16, folded, packed);
    }

    /** The rows (batch × tokens) oneDNN packs inference weights for: 64 texts of 128 tokens, the evaluation batch. */
    private static final long PACKED_FOR_ROWS = 64L * 128;

    /**
     * This model with every parameter rounded to bf16 (a copy; this model itself when its weights already are), for
     * inference without autocast: activations stay bf16 from layer to layer, so no pass casts them (LayerNorm still
     * computes its statistics in fp32). About 1.4x faster than autocast's forward pass. The encoder layers' linear
     * layers run on weights packed once for oneDNN, with the bias, and for the feed-forward expansion GELU, applied in
     * the matmul ({@link dev.attune.engine.PackedLinear}; another 1.3x where libtorch has the operators).
     */
    public BertModel inBf16() {
        if (inBf16) return this;
        Map<String, Tensor> cast = new LinkedHashMap<>();
        params.forEach((n, t) -> cast.put(n, t.detach().toBf16()));
        // the encoder layers' linear layers packed once for oneDNN, bias (and GELU) in the matmul's epilogue
        Map<String, dev.attune.engine.PackedLinear> packed = new java.util.HashMap<>();
        for (String n : cast.keySet()) {
            if (!n.startsWith("encoder.layer.") || !n.endsWith(".weight") || cast.get(n).shape().length != 2) continue;
            String prefix = n.substring(0, n.length() - ".weight".length());
            var linear = dev.attune.engine.PackedLinear.pack(cast.get(n), cast.get(prefix + ".bias"), PACKED_FOR_ROWS);
            if (linear != null) packed.put(prefix, linear);
        }
        return new BertModel(config, cast, false, true, Folded.NOTHING, packed);
    }

    /**
     * This model computing in bf16 for one training step whose forward pass applies {@code dropout}: the encoder
     * layers' parameters rounded to bf16 through differentiable casts, so backward delivers fp32 gradients to the
     * fp32 parameters the optimizer updates (mixed precision with fp32 master weights). Activations, LayerNorm's
     * input and output and the residual stream included, stay bf16 from the embeddings' output on (the embedding
     * lookups and their LayerNorm run in fp32: no cast of the vocabulary table, whose gradient stays fp32); LayerNorm
     * and softmax compute their statistics in fp32. The query projection carries the attention scale, and with
     * dropout each dropped tensor's 1/(1 − p) sits in the weights that read it (the value projection for the
     * attention probabilities, the dense layers for the hidden states, the embeddings' LayerNorm for its output), so
     * dropout is one multiply by a 0/1 mask. Its forward pass needs {@code dropout} again.
     */
    public BertModel castForStep(Dropout dropout) {
        boolean dropping = dropout != Dropout.NONE;
        double attention = 1.0 / Math.sqrt(config.headSize());
        double probs = dropping ? 1.0 / (1.0 - config.attentionProbsDropoutProb()) : 1.0;
        double hidden = dropping ? 1.0 / (1.0 - config.hiddenDropoutProb()) : 1.0;
        Map<String, Tensor> cast = new LinkedHashMap<>();
        params.forEach((n, t) -> {
            double f = foldedFactor(n, attention, probs, hidden);
            boolean fp32 = n.startsWith("embeddings.");
            if (f == 1.0) cast.put(n, fp32 ? t : t.toBf16());
            else cast.put(n, fp32 ? t.mul(f) : Scope.inner(() -> t.mul(f).toBf16()));   // the fp32 product freed at once
        });
        return new BertModel(config, cast, false, true, dropping ? Folded.ATTENTION_AND_DROPOUT_SCALES : Folded.ATTENTION_SCALE);
    }

    /** The constant {@link #castForStep} multiplies parameter {@code name} by. */
    private static double foldedFactor(String name, double attention, double probs, double hidden) {
        if (name.startsWith("embeddings.LayerNorm.")) return hidden;
        if (dev.attune.LayerNames.encoderIndex(name) < 0) return 1.0;
        String local = name.substring(dev.attune.LayerNames.layerOf(name).length() + 1);
        return switch (local.substring(0, local.lastIndexOf('.'))) {
            case "attention.self.query" -> attention;
            case "attention.self.value" -> probs;
            case "attention.output.dense", "output.dense" -> hidden;
            default -> 1.0;
        };
    }

    /** True when the parameters this model computes with are bf16 ({@link #inBf16}, {@link #castForStep}). */
    public boolean weightsInBf16() {
        return inBf16;
    }

    /** The same model (sharing its parameters) with hidden and attention dropout both {@code p}. */
    public BertModel withDropout(double p) {
        return new BertModel(config.withDropout(p), params, precise, inBf16, folded, packed);
    }

    /**
     * Builds the model from named weights after checking that every encoder tensor is present with the shape the
     * config implies. {@code source} names the file in error messages.
     */
    public static BertModel fromWeights(BertConfig config, Map<String, WeightArray> weights, String source) {
        config.validate(source);
        Map<String, long[]> expected = expectedShapes(config);
        for (var e : expected.entrySet()) {
            WeightArray w = weights.get(e.getKey());
            if (w == null && isOptional(e.getKey())) continue;
            if (w == null) throw new WeightFormatException(source + ": missing tensor " + e.getKey());
            if (!Arrays.equals(w.shape(), e.getValue())) {
                throw new WeightFormatException(source + ": tensor " + e.getKey() + " has shape " + w.shapeString()
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        boolean hasMlm = weights.containsKey("cls.predictions.bias");
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            WeightArray w = weights.get(name);
            if (w == null) continue;
            if (name.startsWith("cls.") && !hasMlm) continue;
            params.put(name, Tensor.fromFloats(w.data(), w.shape()));
        }
        return new BertModel(config, params, true);
    }

    private static boolean isOptional(String name) {
        return name.startsWith("pooler.") || name.startsWith("cls.");
    }

    /** Every parameter the encoder (with optional pooler and masked-LM head) may have, in Hugging Face order. */
    public static Map<String, long[]> expectedShapes(BertConfig c) {
        long h = c.hiddenSize(), i = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
        m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), h});
        m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        m.put("embeddings.LayerNorm.weight", new long[] {h});
        m.put("embeddings.LayerNorm.bias", new long[] {h});
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = dev.attune.LayerNames.encoderLayer(l) + ".";
            for (String qkv : List.of("query", "key", "value")) {
                m.put(p + "attention.self." + qkv + ".weight", new long[] {h, h});
                m.put(p + "attention.self." + qkv + ".bias", new long[] {h});
            }
            m.put(p + "attention.output.dense.weight", new long[] {h, h});
            m.put(p + "attention.output.dense.bias", new long[] {h});
            m.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            m.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            m.put(p + "intermediate.dense.weight", new long[] {i, h});
            m.put(p + "intermediate.dense.bias", new long[] {i});
            m.put(p + "output.dense.weight", new long[] {h, i});
            m.put(p + "output.dense.bias", new long[] {h});
            m.put(p + "output.LayerNorm.weight", new long[] {h});
            m.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        m.put("pooler.dense.weight", new long[] {h, h});
        m.put("pooler.dense.bias", new long[] {h});
        m.put("cls.predictions.transform.dense.weight", new long[] {h, h});
        m.put("cls.predictions.transform.dense.bias", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
        m.put("cls.predictions.bias", new long[] {c.vocabSize()});
        return m;
    }

    public BertConfig config() {
        return config;
    }

    /** Parameters by Hugging Face name, in the order of {@link #expectedShapes}. */
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    public boolean hasPooler() {
        return params.containsKey("pooler.dense.weight");
    }

    public boolean hasMaskedLmHead() {
        return params.containsKey("cls.predictions.bias");
    }

    /** Copies every parameter out to Java arrays, for writing. */
    public Map<String, WeightArray> stateDict() {
        Map<String, WeightArray> out = new LinkedHashMap<>();
        params.forEach((name, t) -> out.put(name, new WeightArray(name, t.shape(), t.toFloats())));
        return out;
    }

    /** Rejects ids outside the vocabulary and sequences longer than the position table, before native code. */
    public void checkInputs(TokenBatch batch) {
        if (batch.seqLen() > config.maxPositionEmbeddings()) {
            throw new dev.attune.AttuneException("sequence length " + batch.seqLen() + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        for (long id : batch.inputIds()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new dev.attune.AttuneException("token id " + id + " is outside the vocabulary of size "
                        + config.vocabSize() + ": the tokenizer does not match the model");
            }
        }
        for (long id : batch.tokenTypeIds()) {
            if (id < 0 || id >= config.typeVocabSize()) {
                throw new dev.attune.AttuneException("token type id " + id + " is outside type_vocab_size " + config.typeVocabSize());
            }
        }
    }

    /** last_hidden_state (B, T, H) for a batch, without dropout. */
    public Tensor forward(TokenBatch batch) {
        return forward(batch, Dropout.NONE);
    }

    /** last_hidden_state (B, T, H); {@code dropout} decides whether and how dropout applies (training). */
    public Tensor forward(TokenBatch batch, Dropout dropout) {
        Tensor x = embed(batch, dropout);
        Tensor maskBias = attentionBias(batch);
        if (inBf16 && maskBias != null) maskBias = maskBias.toBf16();              // padding at -inf in bf16
        for (int l = 0; l < config.numHiddenLayers(); l++) x = layer(l, x, maskBias, dropout);
        return x;
    }

    /** The embedding block's output (B, T, H): word + position + token type embeddings, LayerNorm, dropout. */
    public Tensor embed(TokenBatch batch, Dropout dropout) {
        checkInputs(batch);
        if (folded == Folded.ATTENTION_AND_DROPOUT_SCALES && dropout == Dropout.NONE) {
            throw new IllegalStateException("this model's weights carry dropout's scales (castForStep): it needs that dropout");
        }
        int b = batch.batchSize(), t = batch.seqLen();
        Tensor ids = Tensor.fromLongs(batch.inputIds(), b, t);
        Tensor types = Tensor.fromLongs(batch.tokenTypeIds(), b, t);
        Tensor x = p("embeddings.word_embeddings.weight").embedding(ids)                       // (B, T, H)
                .add(p("embeddings.position_embeddings.weight").narrow(0, 0, t))               // (T, H) broadcast
                .add(p("embeddings.token_type_embeddings.weight").embedding(types));
        x = layerNorm(x, "embeddings.LayerNorm");
        if (inBf16) x = x.toBf16();                                  // a no-op unless the lookups ran in fp32 (castForStep)
        return drop(x, config.hiddenDropoutProb(), dropout);
    }

    /**
     * Encoder layer {@code l} on its input (B, T, H), with the batch's {@link #attentionBias}; its temporaries are
     * released when it returns.
     */
    public Tensor layer(int l, Tensor x, Tensor maskBias, Dropout dropout) {
        String prefix = dev.attune.LayerNames.encoderLayer(l) + ".";
        int b = (int) x.size(0), t = (int) x.size(1);
        return Scope.inner(() -> layer(x, maskBias, prefix, b, t, dropout));
    }

    private Tensor layer(Tensor x, Tensor maskBias, String p, int b, int t, Dropout dropout) {
        int nh = config.numAttentionHeads(), hs = config.headSize();
        Tensor q = heads(linear(x, p + "attention.self.query"), b, t, nh, hs);                // (B, nh, T, hs)
        Tensor k = heads(linear(x, p + "attention.self.key"), b, t, nh, hs);
        Tensor v = heads(linear(x, p + "attention.self.value"), b, t, nh, hs);
        Tensor context = Scope.inner(() -> attention(q, k, v, maskBias, b, t, dropout));          // (B, T, H)
        Tensor attn = drop(linear(context, p + "attention.output.dense"), config.hiddenDropoutProb(), dropout);
        x = layerNorm(attn.add(x), p + "attention.output.LayerNorm");

        Tensor ff;                                                                            // (B, T, I)
        try (var fp32 = precise ? Autocast.suspend() : Autocast.Suspension.NONE) {
            var fused = precise ? null : packed.get(p + "intermediate.dense");
            ff = fused != null && x.dtype() == Tensor.DType.BFLOAT16 ? fused.apply(x, true) : linear(precise ? x.toFloat32() : x, p + "intermediate.dense").gelu();
        }
        ff = drop(linear(ff, p + "output.dense"), config.hiddenDropoutProb(), dropout);
        return layerNorm(ff.add(x), p + "output.LayerNorm");
    }

    /** softmax(q kᵀ / √d + mask) v for (B, nh, T, hs) heads, merged back to (B, T, H). */
    private Tensor attention(Tensor q, Tensor k, Tensor v, Tensor maskBias, int b, int t, Dropout dropout) {
        try (var fp32 = precise ? Autocast.suspend() : Autocast.Suspension.NONE) {
            if (precise) {
                q = q.toFloat32();
                k = k.toFloat32();
                v = v.toFloat32();
            }
            double scale = folded == Folded.NOTHING ? 1.0 / Math.sqrt(config.headSize()) : 1.0;
            if (dropout == Dropout.NONE || config.attentionProbsDropoutProb() == 0) {
                // libtorch's fused kernel: no (T, T) scores in memory, 1.2-1.4x faster forward; its backward is slower
                // than the unfused one here, and it has no dropout, so training keeps the unfused core
                return q.attention(k, v, maskBias, scale).transpose(1, 2).reshape(b, t, config.hiddenSize());
            }
            Tensor probs = drop(q.attentionProbabilities(k, maskBias, scale), config.attentionProbsDropoutProb(), dropout);
            return probs.matmul(v).transpose(1, 2).reshape(b, t, config.hiddenSize());
        }
    }

    /** tanh(dense(hidden[:, 0])) (B, H): the pooled [CLS] vector; needs the pooler weights. */
    public Tensor pool(Tensor hidden) {
        if (!hasPooler()) throw new IllegalStateException("this model has no pooler weights");
        return linear(hidden.select(1, 0), "pooler.dense").tanh();
    }

    /** Masked-LM logits (B, T, V): transform, then the decoder tied to the word embeddings. */
    public Tensor maskedLmLogits(Tensor hidden) {
        if (!hasMaskedLmHead()) throw new IllegalStateException("this model has no masked-LM head (cls.predictions.*)");
        Tensor x = layerNorm(linear(hidden, "cls.predictions.transform.dense").gelu(), "cls.predictions.transform.LayerNorm");
        return x.linear(p("embeddings.word_embeddings.weight"), p("cls.predictions.bias"));
    }

    /** Mean of the real tokens' vectors (B, H), as sentence-transformers pools all-MiniLM-L6-v2. */
    public static Tensor meanPool(Tensor hidden, TokenBatch batch) {
        float[] m = new float[batch.attentionMask().length];
        for (int i = 0; i < m.length; i++) m[i] = batch.attentionMask()[i];
        Tensor mask = Tensor.fromFloats(m, batch.batchSize(), batch.seqLen(), 1);                // (B, T, 1)
        Tensor summed = hidden.toFloat32().mul(mask).sum(1, false);                              // (B, H)
        return summed.div(mask.sum(1, false).clampMin(1e-9));
    }

    /** Rows scaled to unit L2 norm. */
    public static Tensor l2Normalize(Tensor x) {
        return x.div(x.norm(-1).clampMin(1e-12));
    }

    /**
     * 0 for real tokens, the most negative float for padding (B, 1, 1, T), as Hugging Face does; null when the batch
     * has no padding (adding zeros changes nothing, and costs a pass over the attention scores in every layer).
     */
    public static Tensor attentionBias(TokenBatch batch) {
        float[] bias = new float[batch.attentionMask().length];
        boolean padded = false;
        for (int i = 0; i < bias.length; i++) {
            if (batch.attentionMask()[i] != 0) continue;
            bias[i] = -Float.MAX_VALUE;
            padded = true;
        }
        return padded ? Tensor.fromFloats(bias, batch.batchSize(), 1, 1, batch.seqLen()) : null;
    }

    private static Tensor heads(Tensor x, int b, int t, int nh, int hs) {
        return x.reshape(b, t, nh, hs).transpose(1, 2);
    }

    /** Dropout, or only its mask when the scale is in the next weights ({@link #castForStep}). */
    private Tensor drop(Tensor x, double p, Dropout dropout) {
        return folded == Folded.ATTENTION_AND_DROPOUT_SCALES ? dropout.keep(x, p) : dropout.apply(x, p);
    }

    private Tensor linear(Tensor x, String prefix) {
        var fused = packed.get(prefix);
        if (fused != null && x.dtype() == Tensor.DType.BFLOAT16) return fused.apply(x, false);
        return x.linear(p(prefix + ".weight"), p(prefix + ".bias"));
    }

    private Tensor layerNorm(Tensor x, String prefix) {
        return x.layerNorm(p(prefix + ".weight"), p(prefix + ".bias"), config.layerNormEps());
    }

    private Tensor p(String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalStateException("no parameter " + name);
        return t;
    }

}
