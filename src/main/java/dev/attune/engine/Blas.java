package dev.attune.engine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OpenBLAS's per-thread thread count ({@code openblas_set_num_threads_local}, OpenBLAS 0.3.27+). Many small
 * BLAS/LAPACK calls (one per weight matrix) run fastest as one single-threaded call per core, side by side; this
 * switches the calling thread only, so training elsewhere keeps its threads.
 */
public final class Blas {
    private static volatile List<Function> setters;

    private Blas() {}

    /** Sets the calling thread's OpenBLAS thread count; returns the previous value, or -1 when unavailable. */
    public static int setThreadsForThisThread(int n) {
        int previous = -1;
        for (Function f : setters()) previous = f.invokeInt(new Object[] {n});
        return previous;
    }

    private static List<Function> setters() {
        if (setters != null) return setters;
        synchronized (Blas.class) {
            if (setters != null) return setters;
            Engine.init();
            List<Function> found = new ArrayList<>();
            for (String lib : loadedOpenBlas()) {
                try {
                    found.add(NativeLibrary.getInstance(lib).getFunction("openblas_set_num_threads_local"));
                } catch (UnsatisfiedLinkError e) {
                    // an older OpenBLAS without per-thread control: leave its threads as they are
                }
            }
            setters = List.copyOf(found);
            return setters;
        }
    }

    /** Paths of the OpenBLAS libraries mapped into this process (the presets may load more than one copy). */
    private static Set<String> loadedOpenBlas() {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) continue;
                String path = line.substring(slash).strip();
                String file = Path.of(path).getFileName().toString();
                if (file.startsWith("libopenblas") && file.contains(".so")) out.add(path);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to switch
        }
        return out;
    }
}
