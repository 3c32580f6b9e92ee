package dev.attune.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One section of a YAML config, read key by key with defaults and range checks. Keys that were never read are
 * reported by {@link #rejectUnknownKeys()}, so a misspelt key is an error rather than silently ignored.
 */
final class Section {
    /** Where a key was given, for messages: {@code file:line} or the {@code --set} option that set it. */
    interface Locator {
        String where(String section, String key);
    }

    private final Locator locator;
    private final String name;
    private final ObjectNode node;
    private final Set<String> read = new HashSet<>();

    Section(Locator locator, String name, JsonNode node) {
        this.locator = locator;
        this.name = name;
        if (node != null && !node.isNull() && !node.isObject()) throw error(null, "must be a mapping of keys to values");
        this.node = node == null || node.isNull() ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : (ObjectNode) node;
    }

    ConfigException error(String key, String message) {
        return new ConfigException(locator.where(name, key) + ": " + (key == null ? name : name + "." + key) + ": " + message);
    }

    private JsonNode value(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    /** The value's text without marking the key as read, or null. */
    String text(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    boolean has(String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    String string(String key, String def) {
        JsonNode v = value(key);
        if (v == null) return def;
        if (v.isContainerNode()) throw error(key, "must be a single value");
        return v.asText();
    }

    String requiredString(String key) {
        String s = string(key, null);
        if (s == null || s.isBlank()) throw error(key, "is required");
        return s;
    }

    String choice(String key, String def, List<String> allowed) {
        String s = string(key, def);
        if (s != null && !allowed.contains(s)) throw error(key, "must be one of " + allowed + " (got '" + s + "')");
        return s;
    }

    double number(String key, double def, double min, double max) {
        JsonNode v = value(key);
        if (v == null) return def;
        double d;
        if (v.isNumber()) d = v.asDouble();
        else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                throw error(key, "must be a number (got '" + v.asText() + "')");
            }
        } else throw error(key, "must be a number (got " + v + ")");
        if (!(d >= min && d <= max) || Double.isNaN(d)) throw error(key, "must be between " + fmt(min) + " and " + fmt(max) + " (got " + fmt(d) + ")");
        return d;
    }

    int integer(String key, int def, int min, int max) {
        double d = number(key, def, min, max);
        if (d != Math.rint(d)) throw error(key, "must be a whole number (got " + fmt(d) + ")");
        return (int) d;
    }

    long longValue(String key, long def) {
        double d = number(key, def, -9.007199254740992E15, 9.007199254740992E15);
        if (d != Math.rint(d)) throw error(key, "must be a whole number (got " + fmt(d) + ")");
        return (long) d;
    }

    boolean bool(String key, boolean def) {
        JsonNode v = value(key);
        if (v == null) return def;
        if (v.isBoolean()) return v.asBoolean();
        String s = v.asText().strip().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("true") || s.equals("yes")) return true;
        if (s.equals("false") || s.equals("no")) return false;
        throw error(key, "must be true or false (got '" + v.asText() + "')");
    }

    List<String> strings(String key) {
        JsonNode v = value(key);
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (e.isContainerNode()) throw error(key, "must be a list of strings");
                out.add(e.asText());
            }
        } else if (v.isTextual()) {
            for (String s : v.asText().split(",")) if (!s.isBlank()) out.add(s.strip());
        } else {
            out.add(v.asText());
        }
        return out;
    }

    void rejectUnknownKeys() {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k)) throw error(k, "unknown key");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
}
