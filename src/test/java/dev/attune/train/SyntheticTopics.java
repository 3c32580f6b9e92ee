package dev.attune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A generated multi-class dataset whose label is the topic of each sentence: a model must learn it to beat chance. */
public final class SyntheticTopics {
    static final String[][] WORDS = {
            {"football", "goal", "striker", "league", "referee", "tennis", "match", "coach", "stadium", "tournament"},
            {"rain", "sunny", "forecast", "storm", "cloudy", "temperature", "wind", "snow", "humid", "thunder"},
            {"recipe", "oven", "garlic", "bake", "simmer", "flour", "spices", "roast", "dessert", "saucepan"},
            {"stocks", "interest", "inflation", "bonds", "dividend", "portfolio", "earnings", "currency", "loan", "investors"}};
    static final String[] LABELS = {"sports", "weather", "cooking", "finance"};
    static final String[] FILLER = {"today", "the", "was", "very", "and", "about", "we", "talked", "again", "really", "some", "news"};

    private SyntheticTopics() {}

    static String sentence(int topic, Random r) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            w.add(i % 3 == 0 ? WORDS[topic][r.nextInt(WORDS[topic].length)] : FILLER[r.nextInt(FILLER.length)]);
        }
        return String.join(" ", w);
    }

    /** {@code n} sentences cycling through the given topic numbers (0 sports, 1 weather, 2 cooking, 3 finance). */
    public static List<String> sentences(int n, long seed, int... topics) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(sentence(topics[i % topics.length], r));
        return out;
    }

    /** Writes {@code n} examples, classes balanced, to a JSONL file. */
    public static Path write(Path file, int n, long seed) throws IOException {
        Random r = new Random(seed);
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int topic = i % LABELS.length;
            ObjectNode o = json.createObjectNode();
            o.put("text", sentence(topic, r));
            o.put("label", LABELS[topic]);
            sb.append(json.writeValueAsString(o)).append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }
}
