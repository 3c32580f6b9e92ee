package dev.attune.cli;

import dev.attune.FineTune;
import dev.attune.RunSummary;
import dev.attune.config.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a model for text classification as a YAML config describes; writes a run folder.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "YAML config with sections model, data, trainer, output.")
    Path config;

    @Option(names = "--set", description = "Override a config key: section.key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run in output.dir from its last checkpoint.")
    boolean resume;

    @Override
    public Integer call() {
        RunConfig cfg = RunConfig.load(config, overrides);
        RunSummary s = FineTune.run(cfg, resume, "train");
        Summaries.print(s);
        return 0;
    }
}
