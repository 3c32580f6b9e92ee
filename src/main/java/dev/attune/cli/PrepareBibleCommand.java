package dev.attune.cli;

import dev.attune.data.BibleSections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "prepare-bible", mixinStandardHelpOptions = true,
        description = "Turn the King James Bible (Debian packages bible-kjv and bible-kjv-text) into a which-section-is-this-verse task.")
final class PrepareBibleCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "The text, one verse a line, as written by: bible -f \"Gen1:1-Rev22:21\"")
    Path source;

    @Option(names = "--out", defaultValue = "data/bible", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Split seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        var counts = BibleSections.convert(source, out, seed, new int[] {500, 100, 100});
        System.out.println("verses per split " + counts + " written to " + out);
        return 0;
    }
}
