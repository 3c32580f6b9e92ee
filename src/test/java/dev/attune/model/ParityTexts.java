package dev.attune.model;

import java.util.List;

/** Varied inputs for parity tests: short, long (truncated), non-ASCII, empty, punctuation, numbers. */
final class ParityTexts {
    private ParityTexts() {}

    static final List<String> TEXTS = List.of(
            "",
            "a",
            "hello world",
            "The quick brown fox jumps over the lazy dog.",
            "Congratulations! You have WON a $1,000,000 prize. Click here to claim now!!!",
            "Meeting moved to 3pm tomorrow; please bring the Q3 budget spreadsheet.",
            "Ünïcödé façade naïve café résumé — déjà vu",
            "東京は日本の首都です。",
            "Москва — столица России.",
            "emoji 😀🚀 and symbols ©®™ ∑∫√",
            "   leading and trailing spaces   ",
            "UPPERCASE lowercase MiXeD CaSe",
            "numbers 3.14159 2.71828 1e-12 0x1F 42",
            "email: someone@example.com url: http://example.org/path?q=1&r=2",
            "tab\tseparated\tvalues",
            "hyphen-ated words and under_scores",
            "[MASK] is a special token and so is [SEP]",
            "Subject: re: your account\n\nDear customer, verify your password immediately.",
            "unbelievably antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
            "one two three four five six seven eight nine ten ".repeat(30),
            "A longer paragraph of ordinary prose that describes a walk along the river, where the water was "
                    + "high after the rains and the path was muddy, so the walkers turned back before the bridge "
                    + "and went home for tea and cake by the fire while the wind rattled the windows all evening.",
            "?!.,;:'\"()[]{}<>/\\|`~@#$%^&*-_=+");
}
