package dev.attune.serve;

import dev.attune.AttuneException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Numbered versions, the atomic 'current' pointer, and errors that name the registry, without any model loaded. */
class RegistryTest {
    @TempDir
    Path dir;

    Path model(String name, String marker) throws Exception {
        Path m = Files.createDirectories(dir.resolve("runs").resolve(name));
        Files.writeString(m.resolve("config.json"), "{\"marker\": \"" + marker + "\"}");
        Files.writeString(m.resolve("model.safetensors"), marker);
        return m;
    }

    @Test
    void versionsAreNumberedCopiesAndPromotionMovesThePointer() throws Exception {
        Registry r = Registry.open(dir.resolve("registry"));
        assertNull(r.current());
        assertEquals("v1", r.add(model("a", "first")));
        assertEquals("v2", r.add(model("b", "second")));
        for (int i = 3; i <= 10; i++) assertEquals("v" + i, r.add(model("m" + i, "m" + i)));
        assertEquals("v10", r.versions().get(r.versions().size() - 1), "numeric order, not text order: " + r.versions());
        assertEquals(List.of("v1", "v2"), r.versions().subList(0, 2));
        assertNull(r.current(), "adding promotes nothing");
        r.promote("v2");
        assertEquals("v2", r.current());
        assertEquals("second", Files.readString(r.modelDir("v2").resolve("model.safetensors")));
        r.promote("v1");
        assertEquals("v1", r.current());
        try (var s = Files.list(r.dir())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp") || p.getFileName().toString().endsWith(".old")), "no temporary left");
        }
    }

    @Test
    void errorsNameTheRegistryAndTheVersion() throws Exception {
        Registry r = Registry.open(dir.resolve("registry"));
        var e = assertThrows(AttuneException.class, r::requireCurrent);
        assertTrue(e.getMessage().contains("no version is in service"), e.getMessage());
        e = assertThrows(AttuneException.class, () -> r.promote("v7"));
        assertTrue(e.getMessage().contains("no version 'v7'"), e.getMessage());
        e = assertThrows(AttuneException.class, () -> r.add(Files.createDirectories(dir.resolve("empty"))));
        assertTrue(e.getMessage().contains("not a model directory"), e.getMessage());
        r.add(model("a", "first"));
        Files.writeString(r.dir().resolve("current"), "../elsewhere\n");
        e = assertThrows(AttuneException.class, r::current);
        assertTrue(e.getMessage().contains("current") && e.getMessage().contains("not a version"), e.getMessage());
    }
}
