package dev.attune.cli;

import dev.attune.bench.EncoderBenchmark;
import dev.attune.bench.StepProducts;
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

    @Option(names = "--train", description = "Also time full training steps (forward, backward, AdamW) of a 2-class classifier.")
    boolean train;

    @Option(names = "--activation-checkpointing", description = "With --train, also time steps that recompute each layer in backward.")
    boolean recompute;

    @Option(names = "--products", description = "Also time the matrix products of the forward pass (and, with --train, of the step) alone: what the pass would take if all else were free.")
    boolean products;

    @Option(names = "--predict", paramLabel = "JSONL",
            description = "Instead: time offline batched prediction of a fine-tuned --model directory over this file's texts (the path `predict` and `serve` use).")
    java.nio.file.Path predictData;

    @Option(names = "--json", description = "One JSON object per measurement instead of a table.")
    boolean json;

    @Option(names = "--precision", defaultValue = "both", description = "fp32, bf16 or both (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--iterations", defaultValue = "10", description = "Timed passes per precision (median reported; default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() {
        Options.requireRange("--batch-size", batchSize, 1, 4096);
        Options.requireRange("--seq-len", seqLen, 2, 512);
        Options.requireRange("--iterations", iterations, 1, 1_000_000);
        if (predictData != null) return predictThroughput();
        boolean[] precisions = switch (precision) {
            case "fp32" -> new boolean[] {false};
            case "bf16" -> new boolean[] {true};
            case "both" -> new boolean[] {false, true};
            default -> throw new dev.attune.AttuneException("--precision: must be fp32, bf16 or both (got " + precision + ")");
        };
        try (Pretrained p = Pretrained.load(model)) {
            var batch = EncoderBenchmark.syntheticBatch(batchSize, seqLen, p.model().config().vocabSize(), 42);
            if (!json) {
                System.out.printf("model %s, batch %d x %d, %d threads, bf16 in hardware: %s%n", model, batchSize, seqLen,
                        Engine.threads(), Engine.cpuSupportsBf16());
            }
            for (boolean bf16 : precisions) {
                var r = EncoderBenchmark.forward(p.model().withPreciseBf16(false), batch, bf16, 2, iterations);
                if (json) {
                    System.out.printf("{\"runtime\": \"attune\", \"kind\": \"forward\", \"precision\": \"%s\", \"seconds\": %.4f, \"tokens_per_second\": %.1f, \"attention\": \"%s\"}%n",
                            r.precision(), r.medianSeconds(), r.tokensPerSecond(), Engine.attentionKernel(bf16));
                } else {
                    System.out.printf("%-5s forward    %.3f s/batch  %.1f sentences/s  %.0f tokens/s  (attention: %s)%n",
                            r.precision(), r.medianSeconds(), r.sentencesPerSecond(), r.tokensPerSecond(), Engine.attentionKernel(bf16));
                }
                if (products) {
                    printProducts("forward_products", bf16, StepProducts.forward(p.model().config(), batchSize, seqLen), r.medianSeconds());
                }
            }
            if (train) {
                var head = new dev.attune.model.HeadConfig("mean", 0, "gelu", 0.1);
                var clf = dev.attune.model.SequenceClassifier.create(p.model().withPreciseBf16(false), head, java.util.List.of("a", "b"), 1);
                for (boolean bf16 : precisions) {
                    for (boolean again : recompute ? new boolean[] {false, true} : new boolean[] {false}) {
                        var r = dev.attune.bench.TrainStepBenchmark.run(clf, batch, bf16, again, 3, iterations);
                        String kind = again ? "train_step_recompute" : "train_step";
                        var ph = r.medianPhases();
                        if (json) {
                            System.out.printf("{\"runtime\": \"attune\", \"kind\": \"%s\", \"precision\": \"%s\", \"seconds\": %.4f, \"tokens_per_second\": %.1f, "
                                    + "\"forward_seconds\": %.4f, \"backward_seconds\": %.4f, \"clip_seconds\": %.4f, \"update_seconds\": %.4f}%n",
                                    kind, r.precision(), r.medianSeconds(), r.tokensPerSecond(), ph.forwardSeconds(), ph.backwardSeconds(), ph.clipSeconds(), ph.updateSeconds());
                        } else {
                            System.out.printf("%-5s %-10s %.3f s/step   %.0f tokens/s   (forward %.3f, backward %.3f, clipping %.3f, AdamW %.3f)%n",
                                    r.precision(), again ? "recompute" : "train step", r.medianSeconds(), r.tokensPerSecond(),
                                    ph.forwardSeconds(), ph.backwardSeconds(), ph.clipSeconds(), ph.updateSeconds());
                        }
                        if (products && !again) {
                            printProducts("train_step_products", bf16, StepProducts.trainStep(p.model().config(), batchSize, seqLen), r.medianSeconds());
                        }
                    }
                }
            }
        }
        return 0;
    }

    /** The products alone, beside the measured pass or step they belong to. */
    private void printProducts(String kind, boolean bf16, java.util.List<StepProducts.Product> list, double measuredSeconds) {
        StepProducts.Timing t = StepProducts.time(list, bf16, 3);
        String prec = bf16 ? "bf16" : "fp32";
        if (json) {
            System.out.printf("{\"runtime\": \"attune\", \"kind\": \"%s\", \"precision\": \"%s\", \"seconds\": %.4f, \"gflop\": %.2f, \"gflops\": %.1f, \"measured_over_products\": %.3f}%n",
                    kind, prec, t.seconds(), t.flops() / 1e9, t.gflops(), measuredSeconds / t.seconds());
        } else {
            System.out.printf("%-5s %-10s %.3f s alone  %.1f GFLOP at %.0f GFLOPS   (the %s takes %.2fx this)%n", prec,
                    "products", t.seconds(), t.flops() / 1e9, t.gflops(), kind.startsWith("train") ? "step" : "forward pass",
                    measuredSeconds / t.seconds());
        }
    }

    /** Texts per second of {@link dev.attune.Predictor#predict} over a whole file, batch {@code --batch-size}, after a warm-up. */
    private int predictThroughput() {
        var texts = dev.attune.data.DatasetReader.read(predictData, "text", "label").examples().stream().map(dev.attune.data.Example::text).toList();
        try (var p = dev.attune.Predictor.load(model, seqLen, batchSize)) {
            p.predict(texts.subList(0, Math.min(texts.size(), 2 * batchSize)));
            double[] seconds = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long start = System.nanoTime();
                p.predict(texts);
                seconds[i] = (System.nanoTime() - start) / 1e9;
            }
            java.util.Arrays.sort(seconds);
            double median = seconds[iterations / 2];
            System.out.printf("{\"kind\": \"predict\", \"texts\": %d, \"batch_size\": %d, \"max_length\": %d, \"seconds\": %.3f, \"texts_per_second\": %.1f}%n",
                    texts.size(), batchSize, seqLen, median, texts.size() / median);
        }
        return 0;
    }
}
