package dev.attune.cli;

import dev.attune.model.OnnxExport;
import dev.attune.model.Pretrained;
import dev.attune.report.CalibrationFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a fine-tuned classifier as one ONNX graph (input_ids, attention_mask, token_type_ids in; calibrated "
                + "class probabilities out) that ONNX Runtime and other ONNX engines serve without attune.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", description = "onnx (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", description = "Output file (default: MODEL/classifier.onnx).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!"onnx".equals(format)) throw new dev.attune.AttuneException("--format: only onnx is supported (got " + format + ")");
        if (!Files.isDirectory(model)) throw new dev.attune.AttuneException("--model: " + model + " is not a directory");
        Path file = out != null ? out : model.resolve("classifier.onnx");
        try (Pretrained p = Pretrained.load(model.toString())) {
            var classifier = p.requireClassifier();
            var point = CalibrationFile.read(model, classifier.labels());
            double temperature = point == null ? 1.0 : point.calibration().temperature();
            OnnxExport.write(classifier, temperature, file);
            System.out.printf("%s: ONNX graph of %s (labels %s, temperature %.4f), %.1f MB; tokenize with %s%n", file, model, classifier.labels(),
                    temperature, Files.size(file) / 1e6, model.resolve("tokenizer.json"));
        }
        return 0;
    }
}
