package dev.attune.cli;

import dev.attune.AttuneException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Texts one per line from a UTF-8 file, or from standard input when no file is given. */
final class TextLines {
    private TextLines() {}

    static List<String> read(Path input) throws IOException {
        if (input != null && !Files.isRegularFile(input)) throw new AttuneException(input + ": no such file");
        try (BufferedReader r = input == null
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            List<String> lines = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
            return lines;
        } catch (MalformedInputException e) {
            throw new AttuneException((input == null ? "standard input" : input.toString()) + ": not valid UTF-8 text");
        }
    }
}
