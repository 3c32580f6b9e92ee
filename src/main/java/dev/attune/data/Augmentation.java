package dev.attune.data;

import dev.attune.Choice;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Training-text augmentation for email-like data ({@code data.augment}), drawn afresh every epoch from the run's
 * seed: with probability {@code probability} an example is replaced by a variant. A variant first drops its quoted
 * replies and its list footer (each with probability ½, when {@code strip_quotes} / {@code strip_footer} are on), then
 * takes one shape among the enabled ones and the whole text (uniformly): the first 1 to 5 sentences ({@code crop}),
 * the subject alone ({@code subject_only}) or the body alone ({@code body_only}); then, with probability ¼ when
 * {@code case} is on, is lower-cased or has its subject capitalised. Never applied to validation or test data.
 */
public record Augmentation(Set<Op> ops, double probability) {
    /** The operations {@code data.augment} can list. */
    public enum Op implements Choice { CROP, SUBJECT_ONLY, BODY_ONLY, STRIP_FOOTER, STRIP_QUOTES, CASE }

    public static final Augmentation NONE = new Augmentation(EnumSet.noneOf(Op.class), 0);

    /** The operations named as in {@code data.augment} (checked there: an unknown name is a config error). */
    public static Augmentation of(List<String> names, double probability) {
        if (names == null || names.isEmpty()) return NONE;
        Set<Op> ops = EnumSet.noneOf(Op.class);
        for (String n : names) ops.add(Op.valueOf(n.toUpperCase(java.util.Locale.ROOT)));
        return new Augmentation(ops, probability);
    }

    public boolean enabled() {
        return !ops.isEmpty() && probability > 0;
    }

    /** The variant of {@code text} that {@code random} draws (the text itself when it draws none). */
    public String apply(String text, SplittableRandom random) {
        if (!enabled() || random.nextDouble() >= probability) return text;
        String t = text;
        if (ops.contains(Op.STRIP_QUOTES) && random.nextBoolean()) t = EmailVariants.stripQuotes(t);
        if (ops.contains(Op.STRIP_FOOTER) && random.nextBoolean()) t = EmailVariants.stripFooter(t);
        List<Op> shapes = new ArrayList<>();
        for (Op o : List.of(Op.CROP, Op.SUBJECT_ONLY, Op.BODY_ONLY)) if (ops.contains(o)) shapes.add(o);
        int pick = random.nextInt(shapes.size() + 1);
        if (pick < shapes.size()) {
            t = switch (shapes.get(pick)) {
                case CROP -> EmailVariants.crop(t, 1 + random.nextInt(5));
                case SUBJECT_ONLY -> EmailVariants.subjectOnly(t);
                case BODY_ONLY -> EmailVariants.bodyOnly(t);
                default -> t;
            };
        }
        if (ops.contains(Op.CASE) && random.nextDouble() < 0.25) {
            t = random.nextBoolean() ? EmailVariants.lowerCase(t) : EmailVariants.upperCaseSubject(t);
        }
        return t.isBlank() ? text : t;
    }
}
