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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multi-class task from the King James Bible (Debian packages {@code bible-kjv} and {@code bible-kjv-text}, public
 * domain text): which of six sections a verse comes from (law, history, wisdom, prophets, gospels and Acts, letters
 * and Revelation). The source is the text as {@code bible -f "Gen1:1-Rev22:21"} prints it, one verse a line, such as
 * {@code Ge1:1 In the beginning ...}. The split is by chapter (70/15/15 of each section's chapters), so no chapter
 * gives verses to two splits; each section is then sampled to the same number of verses per split.
 */
public final class BibleSections {
    /** Book abbreviations as the {@code bible} program prints them, in canon order, with their section. */
    static final Map<String, String> SECTION_OF_BOOK = sections();

    private static final Pattern VERSE = Pattern.compile("^([1-3]?[A-Za-z]+)(\\d+):(\\d+) (.+)$");

    private BibleSections() {}

    private static Map<String, String> sections() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "law", "Ge Exo Lev Num Deu");
        put(m, "history", "Josh Jdgs Ruth 1Sm 2Sm 1Ki 2Ki 1Chr 2Chr Ezra Neh Est");
        put(m, "wisdom", "Job Psa Prv Eccl SSol");
        put(m, "prophets", "Isa Jer Lam Eze Dan Hos Joel Amos Obad Jonah Mic Nahum Hab Zep Hag Zec Mal");
        put(m, "gospels", "Mat Mark Luke John Acts");
        put(m, "letters", "Rom 1Cor 2Cor Gal Eph Phi Col 1Th 2Th 1Tim 2Tim Titus Phmn Heb Jas 1Pet 2Pet 1Jn 2Jn 3Jn Jude Rev");
        return Collections.unmodifiableMap(m);
    }

    private static void put(Map<String, String> m, String section, String books) {
        for (String b : books.split(" ")) m.put(b, section);
    }

    /** @param perClass verses per section in train, validation and test */
    public static Map<String, Integer> convert(Path source, Path outDir, long seed, int[] perClass) throws IOException {
        if (!Files.isRegularFile(source)) throw new AttuneException(source + ": no such file (write it with: bible -f \"Gen1:1-Rev22:21\" > " + source + ")");
        // section -> chapter ("Ge1") -> verses
        Map<String, Map<String, List<String>>> chapters = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(source, StandardCharsets.UTF_8)) {
            String line;
            for (int n = 1; (line = r.readLine()) != null; n++) {
                if (line.isBlank()) continue;
                Matcher v = VERSE.matcher(line.strip());
                if (!v.matches()) throw new AttuneException(source + ":" + n + ": not a verse line of the form 'Ge1:1 text'");
                String section = SECTION_OF_BOOK.get(v.group(1));
                if (section == null) throw new AttuneException(source + ":" + n + ": unknown book '" + v.group(1) + "'");
                chapters.computeIfAbsent(section, k -> new LinkedHashMap<>()).computeIfAbsent(v.group(1) + v.group(2), k -> new ArrayList<>())
                        .add(v.group(4));
            }
        }
        if (chapters.size() != 6) throw new AttuneException(source + ": verses of " + chapters.size() + " of the 6 sections; expected the whole Bible");
        Random random = new Random(seed);
        Map<String, List<ObjectNode>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "validation", "test")) splits.put(s, new ArrayList<>());
        for (var e : chapters.entrySet()) {
            Map<String, List<List<String>>> byGroup = Map.of(e.getKey(), new ArrayList<>(e.getValue().values()));
            Map<String, List<List<String>>> bySplit = StratifiedSplit.of(byGroup, 0.70, 0.15, random);
            int k = 0;
            for (var split : bySplit.entrySet()) {
                List<String> verses = new ArrayList<>();
                split.getValue().forEach(verses::addAll);
                Collections.shuffle(verses, random);
                if (verses.size() < perClass[k]) {
                    throw new AttuneException(source + ": section " + e.getKey() + " has " + verses.size() + " " + split.getKey()
                            + " verses, fewer than " + perClass[k]);
                }
                for (String verse : verses.subList(0, perClass[k])) splits.get(split.getKey()).add(TaskFiles.row(verse, e.getKey(), null));
                k++;
            }
        }
        for (List<ObjectNode> rows : splits.values()) Collections.shuffle(rows, random);
        return TaskFiles.write(outDir, splits);
    }
}
