package dev.attune.cli;

import dev.attune.AttuneException;
import dev.attune.Predictor;
import dev.attune.data.Dataset;
import dev.attune.data.DatasetReader;
import dev.attune.report.CalibrationFile;
import dev.attune.train.OperatingPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Fit temperature scaling (and a threshold for a tolerated flag rate) on labelled validation data; writes MODEL/calibration.json.")
final class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
    String model;

    @Option(names = "--data", required = true, description = "Labelled validation data (.jsonl or .csv), not the test set.")
    Path data;

    @Option(names = {"--max-flag-rate", "--max-ham-flag-rate"}, defaultValue = "0",
            description = "Tolerated fraction of the other class flagged as the positive one; 0: most probable label (default).")
    double maxFlagRate;

    @Option(names = "--positive-label", description = "The flagged label (default: the second, e.g. spam).")
    String positiveLabel;

    @Option(names = "--text-field", defaultValue = "text") String textField;
    @Option(names = "--label-field", defaultValue = "label") String labelField;
    @Option(names = "--max-length", defaultValue = "128") int maxLength;

    @Override
    public Integer call() {
        Options.requireRange("--max-flag-rate", maxFlagRate, 0, 0.5);
        Options.requireRange("--max-length", maxLength, 2, 512);
        fitAndWrite(Path.of(model), DatasetReader.read(data, textField, labelField), positiveLabel, maxFlagRate, maxLength);
        return 0;
    }

    /** Fits the model directory's operating point on {@code validation}, writes its calibration.json and prints it. */
    static void fitAndWrite(Path model, Dataset validation, String positiveLabel, double maxFlagRate, int maxLength) {
        try (Predictor predictor = Predictor.load(model.toString(), maxLength, 64)) {
            OperatingPoint op = predictor.calibrate(validation, positiveLabel, maxFlagRate);
            CalibrationFile.write(model, op);
            Summaries.printOperatingPoint(op);
            System.out.println("written: " + model.resolve(CalibrationFile.NAME));
        } catch (IOException e) {
            throw new AttuneException(model + ": cannot write " + CalibrationFile.NAME + " (" + e.getMessage() + ")");
        }
    }
}
