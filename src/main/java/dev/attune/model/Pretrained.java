package dev.attune.model;

import dev.attune.data.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT model with its tokenizer, loaded from a catalog name or a Hugging Face-style directory holding
 * {@code config.json}, {@code tokenizer.json} (or {@code vocab.txt}) and weights as {@code model.safetensors},
 * {@code model.onnx} or a TensorFlow checkpoint ({@code variables/variables.index}).
 */
public record Pretrained(BertModel model, Tokenizer tokenizer, Path directory, SequenceClassifier classifier)
        implements AutoCloseable {

    public static Pretrained load(String nameOrPath) {
        return loadDirectory(ModelCatalog.resolve(nameOrPath));
    }

    public static Pretrained loadDirectory(Path dir) {
        Pretrained loaded = build(dir);
        // the weights were read into Java arrays (as large as the model, and their byte buffers as much again), which
        // are garbage now: a full collection lets the serial collector give that heap back to the system instead of
        // keeping it resident for the rest of the process (bert-base-uncased: about 0.5 GB)
        System.gc();
        return loaded;
    }

    private static Pretrained build(Path dir) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new WeightFormatException(dir + ": no config.json in model directory");
        BertConfig config = BertConfig.read(configFile);
        Path weightsFile = weightsFile(dir);
        Map<String, WeightArray> weights = readWeights(weightsFile);
        Path tokenizerFile = tokenizerFile(dir);
        Tokenizer tokenizer = Tokenizer.load(tokenizerFile);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            tokenizer.close();
            throw new WeightFormatException(tokenizerFile + ": tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's word embeddings have only " + config.vocabSize() + " rows");
        }
        BertModel model;
        SequenceClassifier classifier = null;
        try {
            model = BertModel.fromWeights(config, weights, weightsFile.toString());
            if (config.head() != null && !config.labels().isEmpty()) {
                classifier = SequenceClassifier.fromWeights(model, weights, weightsFile.toString());
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        return new Pretrained(model, tokenizer, dir, classifier);
    }

    /** The weights of a catalog model or model directory as plain arrays, without building the model. */
    public static Map<String, WeightArray> readWeightArrays(String nameOrPath) {
        return readWeights(weightsFile(ModelCatalog.resolve(nameOrPath)));
    }

    static Path weightsFile(Path dir) {
        for (String name : new String[] {"model.safetensors", "model.onnx", "variables/variables.index"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
            throw new WeightFormatException(dir + ": pytorch_model.bin is not supported; save the model as model.safetensors");
        }
        throw new WeightFormatException(dir + ": no weights (model.safetensors, model.onnx or variables/variables.index)");
    }

    static Map<String, WeightArray> readWeights(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) return Safetensors.read(file); // checks finiteness itself
        Map<String, WeightArray> weights = name.endsWith(".onnx") ? OnnxWeights.read(file) : TfCheckpointWeights.read(file);
        weights.values().forEach(w -> w.requireFinite(file.toString()));
        return weights;
    }

    private static Path tokenizerFile(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) return json;
        Path vocab = dir.resolve("vocab.txt");
        if (Files.isRegularFile(vocab)) {
            try {
                Path generated = Files.createTempFile("attune-tokenizer", ".json");
                generated.toFile().deleteOnExit();
                Tokenizer.writeBertTokenizerJson(vocab, generated, true);
                return generated;
            } catch (IOException e) {
                throw new WeightFormatException(vocab + ": cannot build a tokenizer from it (" + e.getMessage() + ")", e);
            }
        }
        throw new WeightFormatException(dir + ": no tokenizer.json or vocab.txt in model directory");
    }

    /**
     * Writes this model as a Hugging Face-style directory: config.json, model.safetensors (F32) and tokenizer.json.
     * Files are replaced atomically, so an interrupted export never leaves a half-written weight file.
     */
    public void save(Path out) throws IOException {
        write(out, model.config(), model.stateDict(), tokenizer.file());
    }

    /** Writes a fine-tuned classifier as a Hugging Face-style directory. */
    public static void save(SequenceClassifier classifier, Tokenizer tokenizer, Path out) throws IOException {
        write(out, classifier.config(), classifier.weights(), tokenizer.file());
    }

    /**
     * Writes config.json, model.safetensors and tokenizer.json into a sibling temporary directory, then swaps it in,
     * so a kill mid-way never leaves a half-written model where a finished one was.
     */
    static void write(Path out, BertConfig config, Map<String, WeightArray> state, Path tokenizerFile) throws IOException {
        write(out, config, Safetensors.entries(state), tokenizerFile);
    }

    static void write(Path out, BertConfig config, List<Safetensors.Entry> state, Path tokenizerFile) throws IOException {
        dev.attune.Directories.replace(out, tmp -> {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            Safetensors.write(tmp.resolve("model.safetensors"), state, meta);
            config.write(tmp.resolve("config.json"));
            Files.copy(tokenizerFile, tmp.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        });
    }

    /**
     * Writes to {@code out} the fine-tuned model directory {@code fineTuned} with {@code fraction} of the pretrained
     * model {@code base}'s encoder weights mixed back in ({@link WeightMix}); config and tokenizer are copied.
     */
    public static void writeMixed(Path fineTuned, String base, double fraction, Path out) throws IOException {
        BertConfig config = BertConfig.read(fineTuned.resolve("config.json"));
        Map<String, WeightArray> ft = readWeights(weightsFile(fineTuned));
        Map<String, WeightArray> pre;
        try (Pretrained p = load(base)) {
            pre = p.model().stateDict();
        }
        write(out, config, WeightMix.mix(ft, pre, fraction), tokenizerFile(fineTuned));
    }

    /** The fine-tuned classifier of this model directory; an error naming the directory when it has none. */
    public SequenceClassifier requireClassifier() {
        if (classifier == null) {
            throw new dev.attune.AttuneException(directory + ": not a fine-tuned classifier (no id2label in config.json)");
        }
        return classifier;
    }

    /** A masked-token guess: the token, its id and its probability. */
    public record MaskPrediction(String token, long id, double probability) {}

    /**
     * Mean-pooled, L2-normalised sentence embeddings (how all-MiniLM-L6-v2 is used), in batches of
     * {@code batchSize}, each text truncated to {@code maxLength} tokens; bf16 autocast when {@code bf16}.
     */
    public float[][] embed(java.util.List<String> texts, int maxLength, int batchSize, boolean bf16) {
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += batchSize) {
            var chunk = texts.subList(start, Math.min(texts.size(), start + batchSize));
            var batch = tokenizer.encode(chunk, Math.min(maxLength, model.config().maxPositionEmbeddings()));
            try (var scope = dev.attune.engine.Scope.open(); var cast = dev.attune.engine.Autocast.bf16(bf16)) {
                var pooled = BertModel.l2Normalize(BertModel.meanPool(model.forward(batch), batch));   // (B, H)
                float[] flat = pooled.toFloats();
                int h = model.config().hiddenSize();
                for (int i = 0; i < chunk.size(); i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * h, (i + 1) * h);
                }
            }
        }
        return out;
    }

    /** The {@code topK} most likely tokens for the first [MASK] in {@code text}; needs a masked-LM head. */
    public java.util.List<MaskPrediction> fillMask(String text, int topK) {
        if (!model.hasMaskedLmHead()) {
            throw new dev.attune.AttuneException(directory + ": this model has no masked-LM head; use a model such as bert-base-uncased");
        }
        var batch = tokenizer.encode(java.util.List.of(text), model.config().maxPositionEmbeddings());
        int maskPos = -1;
        long maskId = tokenizer.ids("[MASK]")[1];
        for (int t = 0; t < batch.seqLen(); t++) {
            if (batch.inputIds()[t] == maskId) {
                maskPos = t;
                break;
            }
        }
        if (maskPos < 0) throw new dev.attune.AttuneException("the text has no [MASK] token: \"" + text + "\"");
        float[] probs;
        try (var scope = dev.attune.engine.Scope.open()) {
            var logits = model.maskedLmLogits(model.forward(batch)).select(0, 0).select(0, maskPos);   // (V)
            probs = logits.softmax(-1).toFloats();
        }
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        final float[] p = probs;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
        var out = new java.util.ArrayList<MaskPrediction>();
        for (int i = 0; i < Math.min(topK, order.length); i++) {
            out.add(new MaskPrediction(tokenizer.token(order[i]), order[i], probs[order[i]]));
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
