package dev.attune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.data.Dataset;
import dev.attune.data.EncodedDataset;
import dev.attune.data.Example;
import dev.attune.engine.Engine;
import dev.attune.model.Pretrained;
import dev.attune.train.Evaluator;
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

    @Override
    public Integer call() throws IOException {
        Options.requireRange("--batch-size", batchSize, 1, 4096);
        Options.requireRange("--max-length", maxLength, 2, 512);
        List<String> texts = TextLines.read(input);
        try (Pretrained p = Pretrained.load(model)) {
            var classifier = p.requireClassifier();
            List<String> labels = classifier.labels();
            List<Example> ex = texts.stream().map(t -> new Example(t, labels.get(0), null, 0)).toList();
            EncodedDataset data = EncodedDataset.encode(new Dataset(input == null ? Path.of("stdin") : input, ex), p.tokenizer(), labels,
                    Math.min(maxLength, p.model().config().maxPositionEmbeddings()));
            float[][] probs;
            try {
                probs = Evaluator.probabilities(classifier, data, batchSize, Engine.cpuSupportsBf16());
            } catch (dev.attune.AttuneException e) {
                throw new dev.attune.AttuneException(model + ": " + e.getMessage());
            }
            ObjectMapper json = new ObjectMapper();
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            for (float[] row : probs) {
                int best = 0;
                for (int k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
                ObjectNode o = json.createObjectNode();
                o.put("label", labels.get(best));
                ObjectNode pr = o.putObject("probabilities");
                for (int k = 0; k < row.length; k++) pr.put(labels.get(k), row[k]);
                out.println(json.writeValueAsString(o));
            }
            out.flush();
        }
        return 0;
    }
}
