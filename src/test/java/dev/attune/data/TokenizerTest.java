package dev.attune.data;

import dev.attune.model.ModelCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenizerTest {

    @Test
    void encodesWithSpecialTokensTruncatesAndPadsToLongest() {
        try (Tokenizer t = Tokenizer.load(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"))) {
            // bert-base-uncased vocabulary: hello=7592, world=2088
            assertArrayEquals(new long[] {101, 7592, 2088, 102}, t.ids("Hello world"));
            TokenBatch b = t.encode(List.of("hello world", "", "a b c d e f g h i j k l"), 6);
            assertEquals(6, b.seqLen());
            assertArrayEquals(new long[] {101, 7592, 2088, 102, 0, 0}, java.util.Arrays.copyOfRange(b.inputIds(), 0, 6));
            assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0}, java.util.Arrays.copyOfRange(b.attentionMask(), 0, 6));
            assertArrayEquals(new long[] {101, 102, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(b.inputIds(), 6, 12));
            long[] truncated = java.util.Arrays.copyOfRange(b.inputIds(), 12, 18);
            assertEquals(101, truncated[0]);
            assertEquals(102, truncated[5], "truncation keeps the final [SEP]");
            assertEquals(30522, t.vocabSize());
        }
    }

    @Test
    void tokenizerBuiltFromVocabTxtMatchesTheShippedTokenizerJson(@TempDir Path dir) throws Exception {
        Path generated = dir.resolve("tokenizer.json");
        Tokenizer.writeBertTokenizerJson(ModelCatalog.resolve("bert-base-uncased").resolve("vocab.txt"), generated, true);
        try (Tokenizer ours = Tokenizer.load(generated);
             Tokenizer shipped = Tokenizer.load(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"))) {
            for (String text : List.of("The capital of France is [MASK].", "Ünïcödé façade naïve café",
                    "東京は日本の首都です。", "unbelievably antidisestablishmentarianism", "", "emoji 😀 ok")) {
                assertArrayEquals(shipped.ids(text), ours.ids(text), text);
            }
        }
    }
}
