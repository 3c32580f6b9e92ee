package dev.attune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory operations that keep finished results safe: atomic replacement and recursive deletion. */
public final class Directories {
    /** Writes the contents of a directory. */
    public interface Writer {
        void writeInto(Path dir) throws IOException;
    }

    private Directories() {}

    /**
     * Fills a sibling temporary directory, then swaps it in with two renames: a kill at any moment leaves either the
     * old directory (possibly as {@code NAME.old}) or the new one, never a half-written one.
     */
    public static void replace(Path dir, Writer writer) throws IOException {
        Path abs = dir.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp"), old = abs.resolveSibling(abs.getFileName() + ".old");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            writer.writeInto(tmp);
        } catch (IOException | RuntimeException e) {
            // a failed write (a full disk, say) leaves no partial directory behind, and its message names the place
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            if (e instanceof IOException io && (io.getMessage() == null || !io.getMessage().contains(tmp.toString()))) {
                throw new IOException("writing " + abs + ": " + io.getMessage(), io);
            }
            throw e;
        }
        FaultPoint.reached(abs.getFileName().toString());
        deleteTree(old);
        if (Files.exists(abs)) Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
        FaultPoint.reached(abs.getFileName() + "-swap");
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
