package dev.attune.cli;

import dev.attune.Predictor;
import dev.attune.data.DatasetReader;
import dev.attune.data.Example;
import dev.attune.monitor.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "reference", mixinStandardHelpOptions = true,
        description = "Write the monitoring reference beside a model (reference.safetensors, reference.json) from held-out data: "
                + "what `serve` compares live traffic with. Training writes one from the validation split by itself.")
final class ReferenceCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
    Path model;

    @Option(names = "--data", required = true, description = "Held-out data the model was not trained on (JSONL or CSV), usually the validation split.")
    Path data;

    @Option(names = "--text-field", defaultValue = "text", description = "Default: ${DEFAULT-VALUE}.")
    String textField;

    @Option(names = "--label-field", defaultValue = "label", description = "Default: ${DEFAULT-VALUE}.")
    String labelField;

    @Option(names = "--size", defaultValue = "500", description = "Texts in the sample (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--max-length", defaultValue = "128", description = "Tokens per text, as served (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        Options.requireRange("--size", size, 2, 1_000_000);
        var texts = DatasetReader.read(data, textField, labelField).examples().stream().map(Example::text).toList();
        try (Predictor p = Predictor.load(model.toString(), maxLength, 64)) {
            Reference r = Reference.sample(p, texts, size, seed, p.maxLength(), data.toString());
            r.write(model);
            System.out.printf("%s: reference of %d texts from %s (class mix %s, confidence %.3f)%n", model, r.pooled().length, data, r.classMix(), r.confidence());
        }
        return 0;
    }
}
