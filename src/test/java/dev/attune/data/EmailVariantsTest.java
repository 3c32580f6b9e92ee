package dev.attune.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known answers for the email variants, and the augmentation's draws. */
class EmailVariantsTest {
    static final String LIST_REPLY = """
            Re: [SAtalk] procmail size limit
            Urban wrote:
            > How do I skip large messages?
            > Thanks.

            Use a size condition. It works well. Ask again if not.

            -------------------------------------------------------
            This sf.net email is sponsored by: ThinkGeek
            _______________________________________________
            Spamassassin-talk mailing list
            https://lists.sourceforge.net/lists/listinfo/spamassassin-talk""";

    @Test
    void subjectBodyAndCropsSplitWhereExpected() {
        assertEquals("Re: [SAtalk] procmail size limit", EmailVariants.subjectOnly(LIST_REPLY));
        assertTrue(EmailVariants.bodyOnly(LIST_REPLY).startsWith("Urban wrote:"));
        String noQuotesNoFooter = EmailVariants.stripQuotes(EmailVariants.stripFooter(LIST_REPLY));
        assertEquals("Re: [SAtalk] procmail size limit\nUse a size condition. It works well. Ask again if not.", noQuotesNoFooter);
        assertEquals("Re: [SAtalk] procmail size limit\nUse a size condition. It works well.", EmailVariants.crop(noQuotesNoFooter, 2));
        assertEquals(noQuotesNoFooter, EmailVariants.crop(noQuotesNoFooter, 10));
        assertThrows(IllegalArgumentException.class, () -> EmailVariants.crop(LIST_REPLY, 0));
    }

    @Test
    void footerRemovalUndoesAnAddedListFooterAndKeepsPlainMail() {
        String plain = "Dinner on Saturday?\nAre you free at 7? Let me know.\n\nTom";
        assertEquals(plain, EmailVariants.stripFooter(plain));
        assertEquals(plain, EmailVariants.stripQuotes(plain));
        assertEquals(plain, EmailVariants.stripFooter(EmailVariants.withListFooter(plain)));
        // a body that is all footer is kept rather than emptied
        String onlyFooter = "News\n_______________\nunsubscribe at the list page";
        assertEquals(onlyFooter, EmailVariants.stripFooter(onlyFooter));
        assertEquals("DINNER ON SATURDAY?\nAre you free at 7? Let me know.\n\nTom", EmailVariants.upperCaseSubject(plain));
        assertEquals("News", EmailVariants.subjectOnly("News"));
        assertEquals("News", EmailVariants.bodyOnly("News"));
    }

    @Test
    void variantsByNameAndUnknownNamesListTheAllowedOnes() {
        assertEquals(TextVariant.FIRST_SENTENCES, TextVariant.parse("--variant", "first-sentences"));
        var e = assertThrows(dev.attune.AttuneException.class, () -> TextVariant.parse("--variant", "tiny"));
        assertTrue(e.getMessage().startsWith("--variant: unknown variant 'tiny' (allowed: none, subject-only"), e.getMessage());
    }

    @Test
    void augmentationRepeatsForASeedChangesAboutItsShareAndNeverEmptiesAText() {
        Augmentation all = Augmentation.of(List.of("crop", "subject_only", "body_only", "strip_footer", "strip_quotes", "case"), 0.5);
        int n = 4000, changed = 0;
        SplittableRandom a = new SplittableRandom(3), b = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            String x = all.apply(LIST_REPLY, a.split()), y = all.apply(LIST_REPLY, b.split());
            assertEquals(x, y, "same seed, same variant");
            assertTrue(!x.isBlank());
            if (!x.equals(LIST_REPLY)) changed++;
        }
        // an example is replaced with probability 1/2; a replacement equals the original only when it drew no strip, the
        // whole shape and no case change: (1/4)(1/4)(3/4) = 3/64, so the expected share changed is 0.5 · 61/64 = 0.4766;
        // 4 standard deviations of a binomial share over 4000 draws is 0.032
        assertEquals(0.4766, changed / (double) n, 0.032);
        assertEquals(LIST_REPLY, Augmentation.NONE.apply(LIST_REPLY, new SplittableRandom(1)));
        assertEquals(LIST_REPLY, Augmentation.of(List.of("crop"), 0).apply(LIST_REPLY, new SplittableRandom(1)));
        assertNotEquals(Augmentation.NONE, all);
    }
}
