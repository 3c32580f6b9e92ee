package dev.attune.data;

import dev.attune.AttuneException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * One controlled change applied to every email of a dataset, for measuring what a model's decisions depend on
 * ({@code eval --variant}): names as on the command line, {@code first-sentences} keeps the subject and three sentences.
 */
public enum TextVariant {
    NONE(t -> t),
    SUBJECT_ONLY(EmailVariants::subjectOnly),
    BODY_ONLY(EmailVariants::bodyOnly),
    FIRST_SENTENCES(t -> EmailVariants.crop(t, 3)),
    NO_FOOTER(EmailVariants::stripFooter),
    NO_QUOTES(EmailVariants::stripQuotes),
    STRIPPED(t -> EmailVariants.stripQuotes(EmailVariants.stripFooter(t))),
    SHORT(t -> EmailVariants.crop(EmailVariants.stripQuotes(EmailVariants.stripFooter(t)), 3)),
    LOWER_CASE(EmailVariants::lowerCase),
    WITH_LIST_FOOTER(EmailVariants::withListFooter);

    private final UnaryOperator<String> change;

    TextVariant(UnaryOperator<String> change) {
        this.change = change;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String apply(String text) {
        return change.apply(text);
    }

    public static TextVariant parse(String option, String key) {
        for (TextVariant v : values()) if (v.key().equals(key)) return v;
        throw new AttuneException(option + ": unknown variant '" + key + "' (allowed: "
                + String.join(", ", Arrays.stream(values()).map(TextVariant::key).toList()) + ")");
    }

    /** The dataset with every text changed, keeping only {@code onlyLabel}'s examples when it is not null. */
    public Dataset applyTo(Dataset data, String onlyLabel) {
        List<Example> out = new ArrayList<>();
        for (Example e : data.examples()) {
            if (onlyLabel != null && !onlyLabel.equals(e.label())) continue;
            out.add(new Example(apply(e.text()), e.label(), e.group(), e.line()));
        }
        if (out.isEmpty()) throw new AttuneException(data.source() + ": no example has the label '" + onlyLabel + "' " + data.labelCounts().keySet());
        return new Dataset(data.source(), out);
    }
}
