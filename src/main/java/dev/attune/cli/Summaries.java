package dev.attune.cli;

import dev.attune.RunSummary;
import dev.attune.train.ClassificationMetrics;

/** Human-readable metrics on standard output. */
final class Summaries {
    private Summaries() {}

    static void print(RunSummary s) {
        if (s.test() != null) printMetrics("test", s.test());
        s.testGroups().forEach((g, m) -> System.out.printf("  group %-12s accuracy %.4f (%d examples)%n", g, m.accuracy(), m.examples()));
        System.out.printf("steps %d, %.0f s training, %.3f s/step (median), %.0f tokens/s, peak RSS %.0f MB, %s; %s%n",
                s.steps(), s.trainSeconds(), s.medianStepSeconds(), s.tokensPerSecond(), s.peakRssMb(), s.precision(), s.stopReason());
        System.out.println("run folder: " + s.runDir());
    }

    static void printMetrics(String name, ClassificationMetrics m) {
        System.out.printf("%s: accuracy %.4f  f1_macro %.4f  loss %.4f%s  (%d examples)%n", name, m.accuracy(), m.f1Macro(), m.loss(),
                m.rocAuc() == null ? "" : String.format("  roc_auc %.4f", m.rocAuc()), m.examples());
        m.perClass().forEach((label, c) -> System.out.printf("  %-12s precision %.4f  recall %.4f  f1 %.4f  support %d%n",
                label, c.precision(), c.recall(), c.f1(), c.support()));
        StringBuilder sb = new StringBuilder("  confusion (rows true, columns predicted " + m.labels() + "):");
        for (int[] row : m.confusion()) sb.append(' ').append(java.util.Arrays.toString(row));
        System.out.println(sb);
    }
}
