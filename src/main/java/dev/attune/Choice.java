package dev.attune;

import java.util.Locale;

/** A mode chosen by name in a config: its YAML value is the constant's name in lower case. */
public interface Choice {
    String name();

    default String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
