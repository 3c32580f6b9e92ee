package dev.attune.serve;

import dev.attune.Predictor;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Follows a registry's {@code current} pointer: when another version is promoted, loads it beside the model in
 * service and hands it to the server, which switches between two batches. A version that fails to load is reported
 * and the server keeps the one it has.
 */
public final class RegistryWatcher implements AutoCloseable {
    private final Registry registry;
    private final Function<Path, Predictor> loader;
    private final Server server;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "attune-registry-watcher");
        t.setDaemon(true);
        return t;
    });
    private String failed;

    public RegistryWatcher(Registry registry, Function<Path, Predictor> loader, Server server, long periodMillis) {
        this.registry = registry;
        this.loader = loader;
        this.server = server;
        timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Switches to the promoted version if it changed; returns the version served afterwards. */
    public synchronized String check() {
        try {
            String promoted = registry.current();
            if (promoted == null || promoted.equals(server.modelVersion()) || promoted.equals(failed)) return server.modelVersion();
            Predictor next = loader.apply(registry.modelDir(promoted));
            server.swap(promoted, next);
            failed = null;
            System.err.println("attune serve: now serving " + promoted + " from " + registry.dir());
        } catch (RuntimeException e) {
            failed = safeCurrent();
            System.err.println("attune serve: keeping " + server.modelVersion() + ": " + dev.attune.AttuneException.firstLine(String.valueOf(e.getMessage())));
        }
        return server.modelVersion();
    }

    private String safeCurrent() {
        try {
            return registry.current();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
