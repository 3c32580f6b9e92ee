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

    static void printComparison(dev.attune.report.Comparison r) {
        System.out.println();
        System.out.printf("%-6s %12s %14s %15s %9s %14s %15s %10s%n", "seed", "target loss", "baseline steps", "automated steps",
                "speed-up", "baseline acc.", "automated acc.", "analysis");
        for (var s : r.seeds()) {
            System.out.printf("%-6d %12.4f %14d %15s %9s %14.4f %15.4f %9.2f%%%n", s.seed(), s.targetLoss(), s.baselineSteps(),
                    s.automatedSteps() > 0 ? String.valueOf(s.automatedSteps()) : "not reached",
                    Double.isFinite(s.speedup()) ? String.format("%.2fx", s.speedup()) : "-", s.baselineAccuracy(),
                    s.automatedAccuracy(), 100 * s.analysisOverhead());
        }
        System.out.printf("speed-up %.2fx +- %.2f over %d of %d seeds that reached the baseline's best validation loss%n",
                r.speedupMean(), r.speedupStd(), r.reached(), r.seeds().size());
        if (r.sweptSpeedup() != null) {
            System.out.printf("against the best swept baseline (lr %.2e): %s%n", r.sweptBestRate(),
                    Double.isFinite(r.sweptSpeedup()) ? String.format("%.2fx", r.sweptSpeedup()) : "target not reached");
        }
        System.out.println("report: " + r.dir().resolve("report.html"));
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
