package dev.attune;

/**
 * Named moments where crash tests stop the process: with {@code ATTUNE_PAUSE_AT=NAME:N} in the environment, the N-th
 * time the run reaches {@code NAME} it prints {@code attune: paused at NAME N} to standard error and waits to be
 * killed, so a test can {@code kill -9} it at exactly that moment. Without the variable this is a no-op.
 * Names: {@code step} (after backward, before the update), {@code checkpoint} and {@code model} (files written into
 * the temporary directory, before the swap), {@code checkpoint-swap} and {@code model-swap} (between the two renames).
 * In a distributed run, {@code ATTUNE_PAUSE_RANK=R} limits the pause to the worker whose {@code RANK} is R.
 */
public final class FaultPoint {
    private static final String SPEC = System.getenv("ATTUNE_PAUSE_RANK") == null
            || System.getenv("ATTUNE_PAUSE_RANK").equals(System.getenv("RANK")) ? System.getenv("ATTUNE_PAUSE_AT") : null;
    private static final java.util.Map<String, Integer> COUNTS = new java.util.HashMap<>();

    private FaultPoint() {}

    public static void reached(String name) {
        if (SPEC == null) return;
        int colon = SPEC.lastIndexOf(':');
        if (colon < 0 || !SPEC.substring(0, colon).equals(name)) return;
        int n;
        synchronized (COUNTS) {
            n = COUNTS.merge(name, 1, Integer::sum);
        }
        if (!String.valueOf(n).equals(SPEC.substring(colon + 1))) return;
        System.err.println("attune: paused at " + name + " " + n);
        System.err.flush();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
