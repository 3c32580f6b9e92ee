package dev.attune;

import dev.attune.data.Dataset;
import dev.attune.data.Tokenizer;
import dev.attune.data.EncodedDataset;
import dev.attune.engine.Engine;
import dev.attune.model.Pretrained;
import dev.attune.model.SequenceClassifier;
import dev.attune.train.ClassificationMetrics;
import dev.attune.train.Calibration;
import dev.attune.train.Evaluation;
import dev.attune.train.Evaluator;
import dev.attune.train.OperatingPoint;
import dev.attune.report.CalibrationFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuned model directory ready to classify: batched predictions with class probabilities, and evaluation on
 * labelled data. {@code predict}, {@code eval} (and a server) all go through it. In bf16 it keeps a bf16 copy of
 * the encoder's weights ({@code SequenceClassifier.inBf16}), made once.
 */
public final class Predictor implements AutoCloseable {
    /** The most probable label and every label's probability, in the model's label order. */
    public record Prediction(String label, Map<String, Float> probabilities) {}

    private final Pretrained owned;                 // null when the model belongs to the caller
    private final Tokenizer tokenizer;
    private final SequenceClassifier classifier;
    private final String name;
    private final int maxLength;
    private final int batchSize;
    private final boolean bf16;
    private OperatingPoint point;

    private Predictor(Pretrained owned, SequenceClassifier model, Tokenizer tokenizer, String name, int maxLength, int batchSize, boolean bf16) {
        this.owned = owned;
        this.tokenizer = tokenizer;
        this.classifier = bf16 ? model.inBf16() : model;
        this.name = name;
        this.maxLength = Math.min(maxLength, model.encoder().config().maxPositionEmbeddings());
        this.batchSize = batchSize;
        this.bf16 = bf16;
        this.point = CalibrationFile.read(java.nio.file.Path.of(name), classifier.labels());
    }

    /**
     * A predictor over a model already in memory that has just been saved to {@code modelDir} (its calibration is
     * read from there): the same answers as loading that directory, without a second copy of the model. Closing
     * it leaves the model open.
     */
    public static Predictor of(SequenceClassifier model, Tokenizer tokenizer, java.nio.file.Path modelDir, int maxLength, int batchSize, boolean bf16) {
        if (batchSize < 1) throw new AttuneException("batch size must be at least 1 (got " + batchSize + ")");
        return new Predictor(null, model, tokenizer, modelDir.toString(), maxLength, batchSize, bf16);
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
            return new Predictor(p, p.requireClassifier(), p.tokenizer(), modelDir, maxLength, batchSize, bf16);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    public List<String> labels() {
        return classifier.labels();
    }

    /** The model directory this predictor was loaded from. */
    public java.nio.file.Path directory() {
        return java.nio.file.Path.of(name);
    }

    /** Tokens each text is cut to. */
    public int maxLength() {
        return maxLength;
    }

    /** The model's operating point from its calibration.json, or null (raw probabilities, most probable label). */
    public OperatingPoint operatingPoint() {
        return point;
    }

    /** Flags the positive label above {@code threshold} from now on (a two-class model with calibration.json). */
    public Predictor withThreshold(double threshold) {
        point = OperatingPoint.atThreshold(requireTwoClassCalibration("--threshold"), threshold);
        return this;
    }

    /** Flags the positive label only above the threshold that flags at most {@code rate} of the validation split's other examples. */
    public Predictor withMaxFlagRate(double rate) {
        point = OperatingPoint.forFlagRate(requireTwoClassCalibration("--max-flag-rate"), rate);
        return this;
    }

    /**
     * Fits temperature scaling (and, with {@code maxFlagRate > 0}, the threshold) on labelled validation data and
     * uses it from now on; {@code positiveLabel} null means the second label.
     */
    public OperatingPoint calibrate(Dataset validation, String positiveLabel, double maxFlagRate) {
        int positive = OperatingPoint.positiveIndex(positiveLabel, labels());
        if (positive < 0) throw new AttuneException("--positive-label: '" + positiveLabel + "' is not one of " + name + "'s labels " + labels());
        if (maxFlagRate > 0 && labels().size() != 2) throw new AttuneException("--max-flag-rate: needs a two-class model (" + name + " has labels " + labels() + ")");
        EncodedDataset enc = EncodedDataset.encode(validation, tokenizer, labels(), maxLength);
        point = OperatingPoint.fit(probabilities(enc), enc.labels(), labels(), positive, true, maxFlagRate);
        return point;
    }

    private Calibration requireTwoClassCalibration(String option) {
        if (labels().size() != 2) throw new AttuneException(option + ": needs a two-class model (" + name + " has labels " + labels() + ")");
        if (point == null || point.calibration().negativeScores().length == 0) {
            throw new AttuneException(option + ": " + name + " has no " + CalibrationFile.NAME + " (a model trained with validation data has one)");
        }
        return point.calibration();
    }

    public List<Prediction> predict(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        return decide(probabilities(EncodedDataset.unlabelled(texts, tokenizer, maxLength)));
    }

    /**
     * One forward pass over {@code texts} texts as long as the model reads: the native allocator then already holds
     * what the largest batch needs, so a server's memory stays where it starts instead of creeping up each time
     * traffic brings a longer or fuller batch than any before.
     */
    public void warmUp(int texts) {
        score(java.util.Collections.nCopies(Math.max(1, texts), "warm up ".repeat(maxLength)));
    }

    /** {@link #score} pads each batch to a multiple of this many tokens (see {@link EncodedDataset#paddedToMultipleOf}). */
    static final int SERVED_LENGTH_MULTIPLE = 16;

    /** A prediction with what monitoring reads: the pooled vector the head saw, the tokens read and how many were unknown. */
    public record Scored(Prediction prediction, float[] pooled, int tokens, int unknownTokens) {}

    /** As {@link #predict}, with each text's pooled vector and token counts; one forward pass. */
    public List<Scored> score(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        long[][] ids = tokenizer.encodeEach(texts, maxLength);
        EncodedDataset batch = EncodedDataset.unlabelled(ids, tokenizer.padId()).paddedToMultipleOf(
                classifier.encoder().config().maxPositionEmbeddings() % SERVED_LENGTH_MULTIPLE == 0 ? SERVED_LENGTH_MULTIPLE : 1);
        var out = namingTheModel(() -> Evaluator.outputs(classifier, batch, batchSize, bf16, true));
        List<Prediction> predictions = decide(out.probabilities());
        List<Scored> scored = new ArrayList<>(texts.size());
        for (int i = 0; i < ids.length; i++) {
            int unknown = 0;
            for (long id : ids[i]) if (id == tokenizer.unkId()) unknown++;
            scored.add(new Scored(predictions.get(i), out.pooled()[i], ids[i].length - 2, unknown));
        }
        return scored;
    }

    private List<Prediction> decide(float[][] probs) {
        if (point != null) probs = point.calibrate(probs);
        int[] decided = OperatingPoint.decisions(point, probs);
        List<String> labels = labels();
        List<Prediction> out = new ArrayList<>(probs.length);
        for (int i = 0; i < probs.length; i++) {
            Map<String, Float> byLabel = new LinkedHashMap<>();
            for (int k = 0; k < probs[i].length; k++) byLabel.put(labels.get(k), probs[i][k]);
            out.add(new Prediction(labels.get(decided[i]), byLabel));
        }
        return out;
    }

    /** Metrics on labelled data; a label the model does not know is an error naming the file and line. */
    public ClassificationMetrics evaluate(Dataset data) {
        return evaluateByGroup(data).overall();
    }

    /** Metrics overall and per example group (for example the kinds of a test set), at the operating point. */
    public Evaluation evaluateByGroup(Dataset data) {
        EncodedDataset enc = EncodedDataset.encode(data, tokenizer, labels(), maxLength);
        return Evaluation.of(data, probabilities(enc), enc.labels(), labels(), point);
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
        if (owned != null) owned.close();
    }
}
