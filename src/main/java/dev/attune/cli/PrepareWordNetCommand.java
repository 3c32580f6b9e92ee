package dev.attune.cli;

import dev.attune.data.WordNetGlosses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "prepare-wordnet", mixinStandardHelpOptions = true,
        description = "Turn WordNet's noun definitions (Debian package wordnet-base) into a 10-category classification task.")
final class PrepareWordNetCommand implements Callable<Integer> {
    @Option(names = "--source", defaultValue = "/usr/share/wordnet", description = "Directory holding data.noun (default: ${DEFAULT-VALUE}).")
    Path source;

    @Option(names = "--out", defaultValue = "data/wordnet", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        var counts = WordNetGlosses.convert(source, out, seed, 10, new int[] {300, 60, 60});
        System.out.println("definitions per split " + counts + " written to " + out);
        return 0;
    }
}
