package dev.attune;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replacing a directory keeps the finished one when the new one cannot be written (a full disk, say). */
class DirectoriesTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteLeavesTheOldDirectoryAndNoTemporaryOne() throws IOException {
        Path model = dir.resolve("model");
        Directories.replace(model, tmp -> Files.writeString(tmp.resolve("model.safetensors"), "finished"));
        IOException e = assertThrows(IOException.class, () -> Directories.replace(model, tmp -> {
            Files.writeString(tmp.resolve("model.safetensors"), "half");
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains(model.toAbsolutePath().toString()), "the message names the place: " + e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals("finished", Files.readString(model.resolve("model.safetensors")));
        assertFalse(Files.exists(dir.resolve("model.tmp")), "no partial model.tmp is left behind");
        assertFalse(Files.exists(dir.resolve("model.old")));
    }

    @Test
    void aSuccessfulWriteReplacesTheDirectoryWhole() throws IOException {
        Path model = dir.resolve("model");
        Directories.replace(model, tmp -> Files.writeString(tmp.resolve("a"), "1"));
        Directories.replace(model, tmp -> Files.writeString(tmp.resolve("b"), "2"));
        assertFalse(Files.exists(model.resolve("a")));
        assertEquals("2", Files.readString(model.resolve("b")));
    }
}
