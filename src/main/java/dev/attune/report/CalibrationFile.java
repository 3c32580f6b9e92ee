package dev.attune.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;
import dev.attune.train.Calibration;
import dev.attune.train.OperatingPoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code calibration.json} in a model directory: the temperature, the expected calibration error before and after
 * on the validation split, the operating point (positive label, tolerated flag rate, threshold) and the validation
 * scores any other flag rate's threshold is computed from. {@code predict}, {@code eval} and serving read it.
 */
public final class CalibrationFile {
    public static final String NAME = "calibration.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CalibrationFile() {}

    public static ObjectNode json(OperatingPoint op, boolean withScores) {
        Calibration c = op.calibration();
        ObjectNode o = JSON.createObjectNode();
        o.put("temperature", c.temperature());
        o.put("ece_before", c.eceBefore());
        o.put("ece_after", c.eceAfter());
        o.put("ece_bins", Calibration.ECE_BINS);
        o.put("validation_examples", c.validationExamples());
        o.put("positive_label", c.positiveLabel());
        if (op.thresholded()) {
            o.put("max_flag_rate", op.maxFlagRate());
            o.put("threshold", op.threshold());
        }
        if (withScores) {
            var scores = o.putArray("validation_negative_scores");
            for (double s : c.negativeScores()) scores.add(s);
        }
        return o;
    }

    public static void write(Path modelDir, OperatingPoint op) throws IOException {
        RunFiles.writeAtomically(modelDir.resolve(NAME), JSON.writeValueAsString(json(op, true)));
    }

    /** The model directory's operating point, or null when it has no calibration.json (a model from before it). */
    public static OperatingPoint read(Path modelDir, java.util.List<String> labels) {
        Path file = modelDir.resolve(NAME);
        if (!Files.isRegularFile(file)) return null;
        try {
            JsonNode o = JSON.readTree(file.toFile());
            double t = number(o, "temperature", file);
            if (!(t > 0)) throw new AttuneException(file + ": temperature must be positive (got " + t + ")");
            String positive = o.path("positive_label").asText();
            int index = labels.indexOf(positive);
            if (index < 0) throw new AttuneException(file + ": positive_label '" + positive + "' is not one of the model's labels " + labels);
            double[] scores = new double[o.path("validation_negative_scores").size()];
            for (int i = 0; i < scores.length; i++) scores[i] = o.get("validation_negative_scores").get(i).asDouble();
            Calibration c = new Calibration(t, positive, index, o.path("ece_before").asDouble(Double.NaN),
                    o.path("ece_after").asDouble(Double.NaN), o.path("validation_examples").asInt(), scores);
            return o.has("threshold") ? new OperatingPoint(c, o.path("max_flag_rate").asDouble(Double.NaN), number(o, "threshold", file))
                    : OperatingPoint.argmax(c);
        } catch (IOException e) {
            throw new AttuneException(file + ": not valid JSON (" + e.getMessage() + ")");
        }
    }

    private static double number(JsonNode o, String key, Path file) {
        if (!o.path(key).isNumber()) throw new AttuneException(file + ": " + key + " must be a number");
        return o.get(key).asDouble();
    }
}
