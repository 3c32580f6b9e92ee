package dev.attune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks of a measured quantity against a tolerance that also record the value: every run of the suite appends
 * {@code name, measured, limit, CPU ISA limit, threads, bound} to {@code target/tolerances.tsv}, so
 * {@code bench/tolerance-matrix.sh} can report the worst value over CPU kinds and thread counts. Each tolerance in
 * the suite states the worst value measured that way and keeps a margin of at least 2× over it.
 */
public final class Tolerance {
    private static final Path LOG = Path.of("target", "tolerances.tsv");

    private Tolerance() {}

    /** Asserts {@code measured <= limit}. */
    public static void atMost(String what, double measured, double limit) {
        record(what, measured, limit, "at_most");
        assertTrue(measured <= limit, what + ": " + measured + " > " + limit);
    }

    /** Asserts {@code measured >= limit}. */
    public static void atLeast(String what, double measured, double limit) {
        record(what, measured, limit, "at_least");
        assertTrue(measured >= limit, what + ": " + measured + " < " + limit);
    }

    private static synchronized void record(String what, double measured, double limit, String bound) {
        String isa = System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "ALL");
        String threads = System.getenv().getOrDefault("ATTUNE_THREADS", String.valueOf(Runtime.getRuntime().availableProcessors()));
        String line = String.join("\t", what, String.valueOf(measured), String.valueOf(limit), isa, threads, bound) + "\n";
        try {
            Files.createDirectories(LOG.getParent());
            Files.writeString(LOG, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the record is a report, not part of the check
        }
    }
}
