package dev.attune.cli;

import dev.attune.config.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fine-tune the default model (minilm-l6) on the bundled SpamAssassin split (with the present-day training "
                + "supplement) twice: plain, at the usual "
                + "rate 5e-5, and tuning-free (attune chooses the rate and shapes it per layer); print both runs' test metrics, "
                + "the steps each needed, accuracy and ham recall on the present-day mail set, and the report's path.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--set", description = "Override a config key: section.key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path root = Path.of(System.getProperty("attune.root", "."));
        Path configFile = root.resolve("configs/spam.yaml");
        List<String> o = new ArrayList<>();
        for (String split : List.of("train", "validation", "test")) {
            o.add("data." + split + "=" + root.resolve("data/spamassassin/" + split + ".jsonl"));
        }
        o.add("data.extra_train=[" + root.resolve("data/present-day-mail/train.jsonl") + "]");
        o.add("data.extra_tests=[" + root.resolve("data/present-day-mail/test.jsonl") + "]");
        o.add("trainer.eval_steps=20"); // half the evaluations of configs/spam.yaml: the demo's time goes to training
        o.add("output.dir=runs/demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        o.addAll(overrides);
        if (!Files.isRegularFile(configFile)) throw new dev.attune.AttuneException(configFile + ": demo config not found (run from the attune directory)");
        RunConfig cfg = RunConfig.load(configFile, o);
        var comparison = dev.attune.Compare.run(cfg, 1, dev.attune.Compare.Against.CONFIGURED_RATE, Path.of(cfg.output().dir()));
        for (var run : List.of(comparison.baselines().get(0), comparison.automated().get(0))) {
            System.out.println();
            System.out.println("== " + run.label() + ": " + run.summary().runDir());
            Summaries.print(run.summary());
        }
        Summaries.printComparison(comparison);
        return 0;
    }
}
