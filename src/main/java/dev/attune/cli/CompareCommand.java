package dev.attune.cli;

import dev.attune.Compare;
import dev.attune.config.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run the plain baseline and the automated per-layer rates side by side, per seed, and write a report.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "YAML config; its automation section chooses the policy.")
    Path config;

    @Option(names = "--seeds", defaultValue = "1", description = "Seeds to run, from trainer.seed upwards (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--sweep-baseline", description = "Also run the baseline at several learning rates and compare against the best.")
    boolean sweep;

    @Option(names = "--set", description = "Override a config key: section.key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Options.requireRange("--seeds", seeds, 1, 100);
        RunConfig cfg = RunConfig.load(config, overrides);
        Summaries.printComparison(Compare.run(cfg, seeds, sweep, Path.of(cfg.output().dir())));
        return 0;
    }
}
