package dev.attune.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A multi-class task from WordNet 3.0 (Debian package {@code wordnet-base}): which semantic category (the
 * lexicographer file, such as {@code noun.animal} or {@code noun.artifact}) a noun's definition belongs to. The text
 * is the synset's gloss (definition and any examples), without its words, so the label must be read from the
 * definition. The {@code classes} largest categories are kept, and each is sampled to the same number of synsets per
 * split, so the classes are balanced.
 */
public final class WordNetGlosses {
    /** WordNet's lexicographer files by number (wninput(5WN), lexnames(5WN)); nouns are 03 to 28. */
    static final List<String> LEXICOGRAPHER_FILES = List.of("adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act",
            "noun.animal", "noun.artifact", "noun.attribute", "noun.body", "noun.cognition", "noun.communication",
            "noun.event", "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
            "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity",
            "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time");

    /** One synset: its category and its gloss. */
    record Synset(String category, String gloss) {}

    private WordNetGlosses() {}

    /**
     * @param wordnetDir the directory holding {@code data.noun} (Debian: /usr/share/wordnet)
     * @param perClass   synsets per class in train, validation and test
     */
    public static Map<String, Integer> convert(Path wordnetDir, Path outDir, long seed, int classes, int[] perClass) throws IOException {
        Path file = wordnetDir.resolve("data.noun");
        if (!Files.isRegularFile(file)) throw new AttuneException(wordnetDir + ": no data.noun (install Debian's wordnet-base, or give its directory)");
        Map<String, List<Synset>> byCategory = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            for (int n = 1; (line = r.readLine()) != null; n++) {
                if (line.startsWith("  ")) continue; // the licence header
                Synset s = parse(line, file + ":" + n);
                byCategory.computeIfAbsent(s.category(), k -> new ArrayList<>()).add(s);
            }
        }
        List<String> kept = byCategory.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, List<Synset>> e) -> -e.getValue().size()).thenComparing(Map.Entry::getKey))
                .limit(classes).map(Map.Entry::getKey).sorted().toList();
        Random random = new Random(seed);
        Map<String, List<ObjectNode>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "validation", "test")) splits.put(s, new ArrayList<>());
        int need = perClass[0] + perClass[1] + perClass[2];
        for (String category : kept) {
            List<Synset> synsets = new ArrayList<>(byCategory.get(category));
            if (synsets.size() < need) throw new AttuneException(file + ": " + category + " has " + synsets.size() + " synsets, fewer than " + need);
            Collections.shuffle(synsets, random);
            int i = 0;
            for (int k = 0; k < 3; k++) {
                String split = List.of("train", "validation", "test").get(k);
                for (int j = 0; j < perClass[k]; j++, i++) splits.get(split).add(TaskFiles.row(synsets.get(i).gloss(), category, null));
            }
        }
        for (List<ObjectNode> rows : splits.values()) Collections.shuffle(rows, random);
        return TaskFiles.write(outDir, splits);
    }

    /** A data.noun line: {@code offset lex_filenum ss_type w_cnt word lex_id ... | gloss}. */
    static Synset parse(String line, String where) {
        int bar = line.indexOf(" | ");
        String[] f = line.split(" ", 3);
        if (bar < 0 || f.length < 3) throw new AttuneException(where + ": not a WordNet data line");
        int lexFile;
        try {
            lexFile = Integer.parseInt(f[1]);
        } catch (NumberFormatException e) {
            throw new AttuneException(where + ": lexicographer file number '" + f[1] + "' is not a number");
        }
        if (lexFile < 0 || lexFile >= LEXICOGRAPHER_FILES.size()) throw new AttuneException(where + ": unknown lexicographer file " + lexFile);
        return new Synset(LEXICOGRAPHER_FILES.get(lexFile), line.substring(bar + 3).strip());
    }
}
