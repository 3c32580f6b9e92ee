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

    @Option(names = "--against", defaultValue = "same-rate", converter = AgainstConverter.class,
            description = "same-rate (default): both arms at the config's rate; configured-rate: the baseline at the config's rate, the "
                    + "automated run choosing its own; sweep: the baseline at the best of a uniform sweep over 1e-5..5e-4, the automated run choosing its own.")
    Compare.Against against;

    @Option(names = "--set", description = "Override a config key: section.key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    static final class AgainstConverter implements picocli.CommandLine.ITypeConverter<Compare.Against> {
        @Override
        public Compare.Against convert(String value) {
            for (Compare.Against a : Compare.Against.values()) if (a.key().replace('_', '-').equals(value) || a.key().equals(value)) return a;
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of same-rate, configured-rate, sweep");
        }
    }

    @Override
    public Integer call() {
        Options.requireRange("--seeds", seeds, 1, 100);
        RunConfig cfg = RunConfig.load(config, overrides);
        Summaries.printComparison(Compare.run(cfg, seeds, against, Path.of(cfg.output().dir())));
        return 0;
    }
}
