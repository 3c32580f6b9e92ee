package dev.attune;

import dev.attune.data.Dataset;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.Engine;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import dev.attune.train.ClassificationMetrics;
import dev.attune.train.Evaluator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuned model directory ready to classify: batched predictions with class probabilities, and evaluation on
 * labelled data. {@code predict}, {@code eval} (and a server) all go through it. In bf16 it takes the precise
 * inference path (see {@code BertModel.withPreciseBf16}).
 */
public final class Predictor implements AutoCloseable {
    /** The most probable label and every label's probability, in the model's label order. */
    public record Prediction(String label, Map<String, Float> probabilities) {}

    private final Pretrained pretrained;
    private final SequenceClassifier classifier;
    private final String name;
    private final int maxLength;
    private final int batchSize;
    private final boolean bf16;

    private Predictor(Pretrained pretrained, String name, int maxLength, int batchSize, boolean bf16) {
        this.pretrained = pretrained;
        this.classifier = pretrained.requireClassifier();
        this.name = name;
        this.maxLength = Math.min(maxLength, pretrained.model().config().maxPositionEmbeddings());
        this.batchSize = batchSize;
        this.bf16 = bf16;
    }

    /**
     * Loads a model directory (RUN/model); texts are cut to {@code maxLength} tokens and run {@code batchSize} at a
     * time, in bf16 where the CPU has bf16 instructions.
     */
    public static Predictor load(String modelDir, int maxLength, int batchSize) {
        return load(modelDir, maxLength, batchSize, Engine.cpuSupportsBf16());
    }

    /** As {@link #load(String, int, int)}, in bf16 or fp32 as asked. */
    public static Predictor load(String modelDir, int maxLength, int batchSize, boolean bf16) {
        if (batchSize < 1) throw new AttuneException("batch size must be at least 1 (got " + batchSize + ")");
        Pretrained p = Pretrained.load(modelDir);
        try {
            return new Predictor(p, modelDir, maxLength, batchSize, bf16);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    public List<String> labels() {
        return classifier.labels();
    }

    public List<Prediction> predict(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        float[][] probs = probabilities(EncodedDataset.unlabelled(texts, pretrained.tokenizer(), maxLength));
        List<String> labels = labels();
        List<Prediction> out = new ArrayList<>(probs.length);
        for (float[] row : probs) {
            Map<String, Float> byLabel = new LinkedHashMap<>();
            for (int k = 0; k < row.length; k++) byLabel.put(labels.get(k), row[k]);
            out.add(new Prediction(labels.get(ClassificationMetrics.argmax(row)), byLabel));
        }
        return out;
    }

    /** Metrics on labelled data; a label the model does not know is an error naming the file and line. */
    public ClassificationMetrics evaluate(Dataset data) {
        EncodedDataset enc = EncodedDataset.encode(data, pretrained.tokenizer(), labels(), maxLength);
        return namingTheModel(() -> Evaluator.evaluate(classifier, enc, batchSize, bf16));
    }

    private float[][] probabilities(EncodedDataset data) {
        return namingTheModel(() -> Evaluator.probabilities(classifier, data, batchSize, bf16));
    }

    /** A non-finite output is the model's fault: its error names the model directory. */
    private <T> T namingTheModel(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (AttuneException e) {
            throw new AttuneException(name + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        pretrained.close();
    }
}
