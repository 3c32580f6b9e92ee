package dev.attune.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Controlled variants of an email in attune's text form (the subject, a newline, the body): the subject or the body
 * alone, the first sentences only, the body without quoted replies or without a mailing list's footer, case changed,
 * or a list footer appended. Augmentation draws from them, and the robustness ablations apply them one at a time.
 * Pure string functions; each returns the text unchanged when it has nothing to act on.
 */
public final class EmailVariants {
    private EmailVariants() {}

    /** A footer typical of the corpus's list mail (SourceForge-style), for the ablation that adds list structure. */
    public static final String LIST_FOOTER = """

            _______________________________________________
            Discuss mailing list
            Discuss@lists.example.org
            https://lists.example.org/mailman/listinfo/discuss""";

    private static final Pattern RULE = Pattern.compile("^\\s*([_=*~-])\\1{4,}\\s*$|^-- ?$");
    private static final Pattern LIST_MARK = Pattern.compile(
            "(?i)mailing list|listinfo|unsubscribe|list-admin|sponsored by|to be removed|mailman|yahoo! groups|egroups");
    private static final Pattern ATTRIBUTION = Pattern.compile("(?i)^.{0,120}\\b(wrote|writes|said)\\s*:\\s*$");
    private static final Pattern ORIGINAL = Pattern.compile("(?i)^\\s*-{2,}\\s*(original message|forwarded message)");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n\\s*\\n");

    public static String subject(String text) {
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).strip();
    }

    public static String body(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? "" : text.substring(nl + 1).strip();
    }

    private static String join(String subject, String body) {
        return body.isEmpty() ? subject : subject + "\n" + body;
    }

    /** The subject alone (the text itself when the subject is empty). */
    public static String subjectOnly(String text) {
        String s = subject(text);
        return s.isEmpty() ? text : s;
    }

    /** The body alone (the text itself when the body is empty). */
    public static String bodyOnly(String text) {
        String b = body(text);
        return b.isEmpty() ? text : b;
    }

    /** The subject and the body's first {@code sentences} sentences (a blank line also ends one). */
    public static String crop(String text, int sentences) {
        if (sentences < 1) throw new IllegalArgumentException("sentences must be at least 1");
        String[] parts = SENTENCE_END.split(body(text));
        List<String> kept = new ArrayList<>();
        for (String p : parts) {
            if (p.isBlank()) continue;
            kept.add(p.strip());
            if (kept.size() == sentences) break;
        }
        return join(subject(text), String.join(" ", kept));
    }

    /**
     * The body cut before a mailing list's footer or a signature: from the first rule line ({@code ____},
     * {@code ----}, {@code -- }) after which the rest mentions the list (or is short), or from the first of the last
     * eight lines that names a list, unsubscribing or a sponsor.
     */
    public static String stripFooter(String text) {
        String[] lines = body(text).split("\n", -1);
        int cut = lines.length;
        for (int i = 0; i < lines.length && cut == lines.length; i++) {
            if (RULE.matcher(lines[i]).matches()) {
                String rest = String.join("\n", Arrays.copyOfRange(lines, i + 1, lines.length));
                if (LIST_MARK.matcher(rest).find() || lines.length - i <= 8) cut = i;
            }
        }
        for (int i = Math.max(0, lines.length - 8); i < cut; i++) {
            if (LIST_MARK.matcher(lines[i]).find()) {
                cut = i;
                break;
            }
        }
        if (cut == 0) return text;       // the whole body would go: keep it
        return join(subject(text), String.join("\n", Arrays.copyOf(lines, cut)).strip());
    }

    /** The body without quoted lines ({@code >}), attribution lines ({@code X wrote:}) and forwarded originals. */
    public static String stripQuotes(String text) {
        List<String> kept = new ArrayList<>();
        for (String line : body(text).split("\n", -1)) {
            if (ORIGINAL.matcher(line).find()) break;
            String t = line.stripLeading();
            if (t.startsWith(">") || t.startsWith("|>") || ATTRIBUTION.matcher(line).matches()) continue;
            kept.add(line);
        }
        String b = String.join("\n", kept).replaceAll("\n{3,}", "\n\n").strip();
        return b.isEmpty() ? text : join(subject(text), b);
    }

    public static String lowerCase(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

    /** The subject in capitals, the body as it is. */
    public static String upperCaseSubject(String text) {
        return join(subject(text).toUpperCase(Locale.ROOT), body(text));
    }

    /** The text with {@link #LIST_FOOTER} appended. */
    public static String withListFooter(String text) {
        return text.stripTrailing() + "\n" + LIST_FOOTER.strip();
    }
}
