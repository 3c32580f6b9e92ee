package dev.attune.cli;

import dev.attune.RunSummary;
import dev.attune.train.ClassificationMetrics;

/** Human-readable metrics on standard output. */
final class Summaries {
    private Summaries() {}

    static void print(RunSummary s) {
        if (s.test() != null) printMetrics("test", s.test());
        s.testGroups().forEach((g, m) -> System.out.printf("  group %-12s accuracy %.4f (%d examples)%n", g, m.accuracy(), m.examples()));
        printOperatingPoint(s.operatingPoint());
        s.extraTests().forEach((file, e) -> {
            StringBuilder recalls = new StringBuilder();
            e.overall().perClass().forEach((label, c) -> recalls.append(String.format(", %s recall %.4f", label, c.recall())));
            System.out.printf("%s: accuracy %.4f%s (%d examples)%n", file, e.overall().accuracy(), recalls, e.overall().examples());
        });
        System.out.printf("steps %d, %.0f s training, %.3f s/step (median), %.0f tokens/s, peak RSS %.0f MB, %s; %s%n",
                s.steps(), s.trainSeconds(), s.medianStepSeconds(), s.tokensPerSecond(), s.peakRssMb(), s.precision(), s.stopReason());
        System.out.println("run folder: " + s.runDir());
    }

    static void printComparison(dev.attune.report.Comparison r) {
        System.out.println();
        System.out.printf("%-6s %9s %9s %11s %9s %10s %9s %9s %10s %10s %9s%n", "seed", "base lr", "auto lr", "target loss", "base steps",
                "auto steps", "speed-up", r.againstSweep() ? "tuning" : "", "base acc.", "auto acc.", "analysis");
        for (var s : r.seeds()) {
            System.out.printf("%-6d %9.0e %9.0e %11.4f %10d %10s %9s %9s %10.4f %10.4f %8.2f%%%n", s.seed(), s.baselineRate(), s.automatedRate(),
                    s.targetLoss(), s.baselineSteps(), s.automatedSteps() > 0 ? String.valueOf(s.automatedSteps()) : "not reached",
                    times(s.speedup()), r.againstSweep() ? times(s.tuningSpeedup()) : "", s.baselineAccuracy(), s.automatedAccuracy(),
                    100 * s.analysisOverhead());
        }
        System.out.println(dev.attune.report.CompareReport.headline(r).replace("&times;", "x"));
        System.out.println("report: " + r.dir().resolve("report.html"));
    }

    private static String times(double v) {
        return Double.isFinite(v) ? String.format("%.2fx", v) : "-";
    }

    /** The calibration and decision rule a model is scored at (nothing for a model without calibration.json). */
    static void printOperatingPoint(dev.attune.train.OperatingPoint op) {
        if (op == null) return;
        var c = op.calibration();
        System.out.printf("calibration: temperature %.3f (validation ECE %.4f -> %.4f)%s%n", c.temperature(), c.eceBefore(), c.eceAfter(),
                op.thresholded() ? String.format("; %s when p(%s) > %.4f (flags %.2f%% of validation %s)", c.positiveLabel(), c.positiveLabel(),
                        op.threshold(), 100 * c.flagRate(op.threshold()), "non-" + c.positiveLabel()) : "");
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
