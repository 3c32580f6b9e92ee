package dev.attune.data;

import dev.attune.AttuneException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsJsonlAndCsvWithConfigurableFields() throws Exception {
        Path j = dir.resolve("a.jsonl");
        Files.writeString(j, "{\"body\": \"hello\", \"y\": \"pos\", \"group\": \"g1\"}\n\n{\"body\": \"bye\", \"y\": \"1\"}\n");
        Dataset d = DatasetReader.read(j, "body", "y");
        assertEquals(2, d.size());
        assertEquals(new Example("hello", "pos", "g1", 1), d.examples().get(0));
        assertEquals(new Example("bye", "1", null, 3), d.examples().get(1));
        Path numbers = dir.resolve("n.jsonl");
        Files.writeString(numbers, "{\"body\": \"hello\", \"y\": 0}\n{\"body\": \"bye\", \"y\": 1}\n");
        assertEquals("1", DatasetReader.read(numbers, "body", "y").examples().get(1).label(), "numeric labels are fine when all are numbers");

        Path c = dir.resolve("a.csv");
        Files.writeString(c, "label,text\nspam,\"multi\nline, with comma\"\nham,plain\n");
        Dataset e = DatasetReader.read(c, "text", "label");
        assertEquals(new Example("multi\nline, with comma", "spam", null, 2), e.examples().get(0));
        assertEquals(new Example("plain", "ham", null, 4), e.examples().get(1));
    }

    @Test
    void errorsNameFileAndLine() throws Exception {
        Path j = dir.resolve("b.jsonl");
        Files.writeString(j, "{\"text\": \"ok\", \"label\": \"a\"}\n{\"text\": \"ok\"}\n");
        var ex = assertThrows(AttuneException.class, () -> DatasetReader.read(j, "text", "label"));
        assertEquals(j + ":2: missing field 'label'", ex.getMessage());
    }

    @Test
    void aByteOrderMarkBeforeTheCsvHeaderIsNotPartOfTheFirstColumnName() throws Exception {
        Path c = dir.resolve("bom.csv");
        Files.write(c, ("\uFEFFtext,label\nhello,pos\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Dataset d = DatasetReader.read(c, "text", "label");
        assertEquals(new Example("hello", "pos", null, 2), d.examples().get(0));
        Path j = dir.resolve("bom.jsonl");
        Files.write(j, ("\uFEFF{\"text\": \"hi\", \"label\": \"x\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("hi", DatasetReader.read(j, "text", "label").examples().get(0).text());
    }
}
