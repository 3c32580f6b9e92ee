package dev.attune.cli;

import dev.attune.AttuneException;
import dev.attune.data.DatasetReader;
import dev.attune.model.Pretrained;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "mix", mixinStandardHelpOptions = true,
        description = "Weight-space ensembling (WiSE-FT): mix a fraction of the pretrained encoder's weights back into a fine-tuned model; "
                + "with --validation, also calibrate the result.")
final class MixCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
    Path model;

    @Option(names = "--pretrained", required = true, description = "The catalog name or directory it was fine-tuned from.")
    String pretrained;

    @Option(names = "--fraction", required = true, description = "Share of the pretrained weights, in [0, 1].")
    double fraction;

    @Option(names = "--out", required = true, description = "The model directory to write (must not exist).")
    Path out;

    @Option(names = "--validation", description = "Labelled validation data to fit calibration.json on.")
    Path validation;

    @Option(names = {"--max-flag-rate", "--max-ham-flag-rate"}, defaultValue = "0", description = "With --validation: the tolerated flag rate.")
    double maxFlagRate;

    @Override
    public Integer call() {
        Options.requireRange("--fraction", fraction, 0, 1);
        Options.requireRange("--max-flag-rate", maxFlagRate, 0, 0.5);
        if (Files.exists(out)) throw new AttuneException("--out: " + out + " already exists");
        if (!Files.isRegularFile(model.resolve("config.json"))) throw new AttuneException("--model: " + model + " has no config.json");
        var data = validation == null ? null : DatasetReader.read(validation, "text", "label");
        try {
            Pretrained.writeMixed(model, pretrained, fraction, out);
        } catch (IOException e) {
            throw new AttuneException(out + ": cannot write (" + e.getMessage() + ")");
        }
        System.out.println("written: " + out);
        if (data != null) CalibrateCommand.fitAndWrite(out, data, null, maxFlagRate, 128);
        return 0;
    }
}
