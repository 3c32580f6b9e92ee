package dev.attune.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attune.AttuneException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Hugging Face {@code config.json} of a BERT model, field for field. Reading ignores keys that attune does not
 * use; writing produces a file that {@code transformers.AutoConfig} reads.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BertConfig(
        @JsonProperty("model_type") String modelType,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("type_vocab_size") int typeVocabSize,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("hidden_dropout_prob") double hiddenDropoutProb,
        @JsonProperty("attention_probs_dropout_prob") double attentionProbsDropoutProb,
        @JsonProperty("architectures") java.util.List<String> architectures,
        @JsonProperty("id2label") Map<String, String> id2label,
        @JsonProperty("label2id") Map<String, Integer> label2id,
        @JsonProperty("attune_head") HeadConfig head) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public BertConfig {
        if (modelType == null) modelType = "bert";
        if (hiddenAct == null) hiddenAct = "gelu";
        if (layerNormEps == 0) layerNormEps = 1e-12;
        if (typeVocabSize == 0) typeVocabSize = 2;
    }

    /** A BERT configuration with Hugging Face's default dropout and activation. */
    public static BertConfig of(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize,
                                int maxPositions) {
        return new BertConfig("bert", vocabSize, hiddenSize, layers, heads, intermediateSize, "gelu", maxPositions, 2,
                1e-12, 0.1, 0.1, null, null, null, null);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** Checks the numbers that the encoder relies on; the message names the file and the key. */
    public BertConfig validate(String source) {
        check(source, "vocab_size", vocabSize > 0);
        check(source, "hidden_size", hiddenSize > 0);
        check(source, "num_hidden_layers", numHiddenLayers > 0);
        check(source, "num_attention_heads", numAttentionHeads > 0);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new WeightFormatException(source + ": hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
                    + numAttentionHeads + " (each head needs hidden_size / num_attention_heads dimensions)");
        }
        check(source, "intermediate_size", intermediateSize > 0);
        check(source, "max_position_embeddings", maxPositionEmbeddings > 0);
        check(source, "type_vocab_size", typeVocabSize > 0);
        check(source, "layer_norm_eps", layerNormEps > 0 && layerNormEps < 1);
        check(source, "hidden_dropout_prob", hiddenDropoutProb >= 0 && hiddenDropoutProb < 1);
        check(source, "attention_probs_dropout_prob", attentionProbsDropoutProb >= 0 && attentionProbsDropoutProb < 1);
        if (!hiddenAct.equals("gelu")) {
            throw new WeightFormatException(source + ": hidden_act '" + hiddenAct + "' is not supported (only gelu)");
        }
        return this;
    }

    private static void check(String source, String key, boolean ok) {
        if (!ok) throw new WeightFormatException(source + ": config key '" + key + "' has an invalid value");
    }

    public BertConfig withLabels(Map<String, String> id2label, Map<String, Integer> label2id) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                hiddenAct, maxPositionEmbeddings, typeVocabSize, layerNormEps, hiddenDropoutProb,
                attentionProbsDropoutProb, architectures, id2label, label2id, head);
    }

    /** The same config under another {@code model_type} (what Hugging Face's Auto classes dispatch on). */
    public BertConfig withModelType(String type) {
        return new BertConfig(type, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                hiddenAct, maxPositionEmbeddings, typeVocabSize, layerNormEps, hiddenDropoutProb,
                attentionProbsDropoutProb, architectures, id2label, label2id, head);
    }

    public BertConfig withHead(HeadConfig h) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                hiddenAct, maxPositionEmbeddings, typeVocabSize, layerNormEps, hiddenDropoutProb,
                attentionProbsDropoutProb, architectures, id2label, label2id, h);
    }

    /** Labels in id order, from id2label; empty for a model without a classification head. */
    public java.util.List<String> labels() {
        if (id2label == null) return java.util.List.of();
        String[] out = new String[id2label.size()];
        for (var e : id2label.entrySet()) {
            int i = Integer.parseInt(e.getKey());
            if (i < 0 || i >= out.length) throw new WeightFormatException("config.json: id2label ids must be 0.." + (out.length - 1));
            out[i] = e.getValue();
        }
        return java.util.List.of(out);
    }

    /** The same model with hidden and attention dropout both {@code p} (saved into config.json with the model). */
    public BertConfig withDropout(double p) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                hiddenAct, maxPositionEmbeddings, typeVocabSize, layerNormEps, p, p, architectures, id2label, label2id, head);
    }

    public BertConfig withArchitectures(java.util.List<String> names) {
        return new BertConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                hiddenAct, maxPositionEmbeddings, typeVocabSize, layerNormEps, hiddenDropoutProb,
                attentionProbsDropoutProb, names, id2label, label2id, head);
    }

    public static BertConfig read(Path file) {
        try {
            BertConfig c = JSON.readValue(Files.readAllBytes(file), BertConfig.class);
            return c.validate(file.toString());
        } catch (IOException e) {
            throw new WeightFormatException(file + ": cannot read config.json (" + AttuneException.firstLine(e.getMessage()) + ")", e);
        }
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(this));
    }
}
