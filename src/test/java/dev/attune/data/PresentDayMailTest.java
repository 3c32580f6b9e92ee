package dev.attune.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The present-day mail sets agree with their README's table of kinds (count per label and kind in every set), and
 * no email of one set appears in another, so training on the supplement never trains on a test or dev email.
 */
class PresentDayMailTest {
    static final Path DIR = Path.of("data/present-day-mail");
    static final List<String> SETS = List.of("test", "dev", "train");

    @Test
    void countsPerKindMatchTheReadme() throws IOException {
        Map<String, Map<String, Integer>> documented = new TreeMap<>();   // set -> "label/kind" -> count
        for (String line : Files.readAllLines(DIR.resolve("README.md"))) {
            String[] cell = line.split("\\|");
            if (cell.length < 7 || !(cell[1].trim().equals("ham") || cell[1].trim().equals("spam"))) continue;
            for (int s = 0; s < SETS.size(); s++) {
                documented.computeIfAbsent(SETS.get(s), k -> new TreeMap<>())
                        .put(cell[1].trim() + "/" + cell[2].trim(), Integer.parseInt(cell[3 + s].trim()));
            }
        }
        assertEquals(11, documented.get("test").size(), "the README's table lists 5 ham and 6 spam kinds");
        for (String set : SETS) {
            Map<String, Integer> counted = new TreeMap<>();
            for (Example e : read(set).examples()) counted.merge(e.label() + "/" + e.group(), 1, Integer::sum);
            assertEquals(documented.get(set), counted, set + ".jsonl against the README's table");
        }
    }

    @Test
    void noEmailIsInTwoSets() {
        Map<String, String> seen = new HashMap<>();
        Set<String> subjects = new HashSet<>();
        for (String set : SETS) {
            for (Example e : read(set).examples()) {
                String text = e.text().strip().toLowerCase(java.util.Locale.ROOT);
                String before = seen.putIfAbsent(text, set);
                assertTrue(before == null, set + ".jsonl line " + e.line() + " repeats an email of " + before + ".jsonl");
                if (!set.equals("train")) subjects.add(text.lines().findFirst().orElse(""));
            }
        }
        for (Example e : read("train").examples()) {
            String subject = e.text().strip().toLowerCase(java.util.Locale.ROOT).lines().findFirst().orElse("");
            assertTrue(!subjects.contains(subject), "train.jsonl line " + e.line() + " has the subject of a test or dev email");
        }
    }

    private static Dataset read(String set) {
        return DatasetReader.read(DIR.resolve(set + ".jsonl"), "text", "label");
    }
}
