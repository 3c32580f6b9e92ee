package dev.attune.serve;

import dev.attune.AttuneException;
import dev.attune.Directories;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of numbered model versions ({@code v1/}, {@code v2/}, ...; each a fine-tuned model directory) and a
 * {@code current} file naming the version in service. Versions are added whole (copied to a temporary folder, then
 * renamed) and {@code current} is replaced atomically, so a reader never sees a half-written version or pointer.
 */
public final class Registry {
    private static final Pattern VERSION = Pattern.compile("v(\\d+)");
    private final Path dir;

    private Registry(Path dir) {
        this.dir = dir;
    }

    /** Opens a registry folder, creating it when missing. */
    public static Registry open(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AttuneException("--registry " + dir + ": cannot create it (" + e.getMessage() + ")", e);
        }
        return new Registry(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The versions present, oldest first. */
    public List<String> versions() {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> VERSION.matcher(n).matches()).forEach(out::add);
            out.sort(Comparator.comparingInt(Registry::number));
            return out;
        } catch (IOException e) {
            throw new AttuneException(dir + ": cannot list the registry (" + e.getMessage() + ")", e);
        }
    }

    /** The version in service, or null before the first promotion. */
    public String current() {
        Path pointer = dir.resolve("current");
        if (!Files.exists(pointer)) return null;
        try {
            String v = Files.readString(pointer, StandardCharsets.UTF_8).strip();
            if (!VERSION.matcher(v).matches() || !Files.isDirectory(dir.resolve(v))) {
                throw new AttuneException(pointer + ": names '" + v + "', which is not a version in this registry " + versions());
            }
            return v;
        } catch (IOException e) {
            throw new AttuneException(pointer + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    /** The version in service; an error naming the registry when nothing was promoted yet. */
    public String requireCurrent() {
        String v = current();
        if (v == null) throw new AttuneException(dir + ": no version is in service yet (no 'current' file); add one with --promote");
        return v;
    }

    public Path modelDir(String version) {
        if (!VERSION.matcher(version).matches() || !Files.isDirectory(dir.resolve(version))) {
            throw new AttuneException(dir + ": no version '" + version + "' (versions: " + versions() + ")");
        }
        return dir.resolve(version);
    }

    /** Copies a fine-tuned model directory in as the next version and returns its name; nothing is promoted. */
    public String add(Path modelDir) {
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new AttuneException(modelDir + ": not a model directory (no config.json)");
        }
        List<String> existing = versions();
        String version = "v" + (existing.isEmpty() ? 1 : number(existing.get(existing.size() - 1)) + 1);
        try {
            Directories.replace(dir.resolve(version), tmp -> {
                try (Stream<Path> files = Files.list(modelDir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        if (Files.isRegularFile(f)) Files.copy(f, tmp.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            });
        } catch (IOException e) {
            throw new AttuneException(dir.resolve(version) + ": cannot copy " + modelDir + " in (" + e.getMessage() + ")", e);
        }
        return version;
    }

    /** Puts {@code version} in service: {@code current} is replaced in one rename. */
    public void promote(String version) {
        modelDir(version);
        Path tmp = dir.resolve(".current.tmp");
        try {
            Files.writeString(tmp, version + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve("current"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AttuneException(dir.resolve("current") + ": cannot replace it (" + e.getMessage() + ")", e);
        }
    }

    private static int number(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.matches()) throw new IllegalArgumentException(version);
        return Integer.parseInt(m.group(1));
    }
}
