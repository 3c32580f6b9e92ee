package dev.attune.serve;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from Debian's packages ({@code postgresql}), in a temporary data directory, on
 * loopback: initdb, pg_ctl start, pg_ctl stop. As root it runs as the {@code postgres} user, which PostgreSQL requires.
 */
final class LocalPostgres implements AutoCloseable {
    final int port;
    private final Path data;
    private final Path bin;
    private final boolean asPostgresUser;

    private LocalPostgres(Path bin, Path data, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The newest installed server's bin directory, or null when none is installed. */
    static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("pg_ctl")) && Files.isExecutable(p.resolve("postgres")))
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
        }
    }

    static LocalPostgres start(Path bin) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = Files.createTempDirectory("attune-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LocalPostgres pg = new LocalPostgres(bin, data.resolve("cluster"), port, root);
        if (root) run(List.of("chown", "-R", "postgres:postgres", data.toString()));
        pg.pg(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "attune", "-A", "trust", "--no-sync", "-E", "UTF8"));
        pg.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", pg.data.toString(), "-w", "-t", "60", "-l", data.resolve("server.log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + data + " -c fsync=off", "start"));
        return pg;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=attune";
    }

    private void pg(List<String> command) throws Exception {
        List<String> c = new ArrayList<>();
        if (asPostgresUser) c.addAll(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(command);
        run(c);
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }

    @Override
    public void close() throws Exception {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"));
        if (asPostgresUser) run(List.of("rm", "-rf", data.getParent().toString()));
        else dev.attune.Directories.deleteTree(data.getParent());
    }
}
