package dev.attune.cli;

import dev.attune.Predictor;
import dev.attune.data.DatasetReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "Score a fine-tuned model on a labelled JSONL or CSV file.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
    String model;

    @Option(names = "--data", required = true, description = "Labelled data (.jsonl or .csv).")
    Path data;

    @Option(names = "--text-field", defaultValue = "text") String textField;
    @Option(names = "--label-field", defaultValue = "label") String labelField;
    @Option(names = "--max-length", defaultValue = "128") int maxLength;
    @Option(names = "--batch-size", defaultValue = "64") int batchSize;

    @Override
    public Integer call() {
        Options.requireRange("--batch-size", batchSize, 1, 4096);
        Options.requireRange("--max-length", maxLength, 2, 512);
        try (Predictor predictor = Predictor.load(model, maxLength, batchSize)) {
            Summaries.printMetrics(data.toString(), predictor.evaluate(DatasetReader.read(data, textField, labelField)));
        }
        return 0;
    }
}
