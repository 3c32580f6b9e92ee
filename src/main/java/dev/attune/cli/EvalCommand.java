package dev.attune.cli;

import dev.attune.Predictor;
import dev.attune.data.Dataset;
import dev.attune.data.DatasetReader;
import dev.attune.data.TextVariant;
import dev.attune.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Option(names = "--variant", defaultValue = "none", description = "Score a controlled variant of every email: none, subject-only, "
            + "body-only, first-sentences, no-footer, no-quotes, stripped, short, lower-case, with-list-footer (default: ${DEFAULT-VALUE}).")
    String variantName;

    @Option(names = "--only-label", description = "Score only the examples with this label (for a variant of one class).")
    String onlyLabel;

    @Mixin DecisionOptions decision;

    @Override
    public Integer call() {
        Options.requireRange("--batch-size", batchSize, 1, 4096);
        Options.requireRange("--max-length", maxLength, 2, 512);
        decision.validate();
        TextVariant variant = TextVariant.parse("--variant", variantName);
        Dataset dataset = variant.applyTo(DatasetReader.read(data, textField, labelField), onlyLabel);
        try (Predictor predictor = Predictor.load(model, maxLength, batchSize)) {
            decision.apply(predictor);
            Evaluation e = predictor.evaluateByGroup(dataset);
            String name = data + (variant == TextVariant.NONE ? "" : " (" + variant.key() + ")") + (onlyLabel == null ? "" : " [" + onlyLabel + "]");
            Summaries.printOperatingPoint(predictor.operatingPoint());
            Summaries.printMetrics(name, e.overall());
            e.groups().forEach((g, m) -> System.out.printf("  group %-16s accuracy %.4f (%d examples)%n", g, m.accuracy(), m.examples()));
        }
        return 0;
    }
}
