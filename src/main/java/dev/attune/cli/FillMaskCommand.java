package dev.attune.cli;

import dev.attune.model.Pretrained;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "fill-mask", mixinStandardHelpOptions = true,
        description = "Print the most likely tokens for the [MASK] in a sentence, with their probabilities.")
final class FillMaskCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "bert-base-uncased",
            description = "Catalog name or model directory with a masked-LM head (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--top-k", defaultValue = "5", description = "How many predictions (default: ${DEFAULT-VALUE}).")
    int topK;

    @Parameters(paramLabel = "TEXT", description = "A sentence containing [MASK].")
    String text;

    @Override
    public Integer call() {
        try (Pretrained p = Pretrained.load(model)) {
            for (var pred : p.fillMask(text, topK)) {
                System.out.printf("%-15s %.4f%n", pred.token(), pred.probability());
            }
        }
        return 0;
    }
}
