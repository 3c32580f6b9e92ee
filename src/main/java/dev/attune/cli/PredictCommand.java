package dev.attune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify texts (one per line) with a fine-tuned model; writes JSONL {\"label\", \"probabilities\"}.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
    String model;

    @Option(names = "--input", description = "Text file, one text per line (default: standard input).")
    Path input;

    @Option(names = "--max-length", defaultValue = "128", description = "Tokens per text (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--batch-size", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @picocli.CommandLine.Mixin DecisionOptions decision;

    @Override
    public Integer call() throws IOException {
        Options.requireRange("--batch-size", batchSize, 1, 4096);
        Options.requireRange("--max-length", maxLength, 2, 512);
        decision.validate();
        List<String> texts = TextLines.read(input);
        try (Predictor predictor = Predictor.load(model, maxLength, batchSize)) {
            decision.apply(predictor);
            ObjectMapper json = new ObjectMapper();
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            for (Predictor.Prediction p : predictor.predict(texts)) out.println(json.writeValueAsString(p));
            out.flush();
        }
        return 0;
    }
}
