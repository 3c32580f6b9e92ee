package dev.attune.cli;

import dev.attune.bench.EncoderBenchmark;
import dev.attune.engine.Engine;
import dev.attune.model.ModelCatalog;
import dev.attune.model.Pretrained;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Measure encoder forward throughput (sentences/s) in fp32 and bf16 at a fixed batch shape.")
final class BenchmarkCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = ModelCatalog.DEFAULT, description = "Catalog name or model directory (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--seq-len", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--iterations", defaultValue = "10", description = "Timed passes per precision (median reported; default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() {
        if (batchSize < 1 || seqLen < 2 || iterations < 1) throw new IllegalArgumentException("--batch-size, --seq-len and --iterations must be positive");
        try (Pretrained p = Pretrained.load(model)) {
            var batch = EncoderBenchmark.syntheticBatch(batchSize, seqLen, p.model().config().vocabSize(), 42);
            System.out.printf("model %s, batch %d x %d, %d threads, bf16 in hardware: %s%n", model, batchSize, seqLen,
                    Engine.threads(), Engine.cpuSupportsBf16());
            for (boolean bf16 : new boolean[] {false, true}) {
                var r = EncoderBenchmark.forward(p.model(), batch, bf16, 2, iterations);
                System.out.printf("%-5s forward %.3f s/batch  %.1f sentences/s  %.0f tokens/s%n",
                        r.precision(), r.medianSeconds(), r.sentencesPerSecond(), r.tokensPerSecond());
            }
        }
        return 0;
    }
}
