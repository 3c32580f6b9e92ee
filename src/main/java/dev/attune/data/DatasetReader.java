package dev.attune.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.AttuneException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads labelled texts from JSONL (one object per line) or CSV (header row), optionally gzip-compressed.
 * A malformed row, a missing field or an empty text is an error that names the file and line.
 */
public final class DatasetReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private DatasetReader() {}

    public static Dataset read(Path file, String textField, String labelField) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        try (Reader reader = open(file)) {
            List<Example> examples;
            if (base.endsWith(".jsonl") || base.endsWith(".json")) examples = readJsonl(file, reader, textField, labelField);
            else if (base.endsWith(".csv")) examples = readCsv(file, reader, textField, labelField);
            else throw new AttuneException(file + ": unknown dataset format (use .jsonl or .csv, optionally .gz)");
            if (examples.isEmpty()) throw new AttuneException(file + ": dataset has no rows");
            return new Dataset(file, List.copyOf(examples));
        } catch (NoSuchFileException e) {
            throw new AttuneException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new AttuneException(file + ": not valid UTF-8 text");
        } catch (IOException | UncheckedIOException e) {
            throw new AttuneException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static Reader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
        r.mark(1);
        if (r.read() != '\uFEFF') r.reset(); // a UTF-8 byte-order mark (spreadsheet exports write one) is not text
        return r;
    }

    private static List<Example> readJsonl(Path file, Reader reader, String textField, String labelField) throws IOException {
        List<Example> out = new ArrayList<>();
        BufferedReader r = (BufferedReader) reader;
        int lineNo = 0;
        int firstLabelLine = 0;
        boolean numericLabels = false;
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new AttuneException(file + ":" + lineNo + ": malformed JSON (" + e.getOriginalMessage() + ")");
            }
            if (!node.isObject()) throw new AttuneException(file + ":" + lineNo + ": expected a JSON object");
            String text = field(file, lineNo, node.get(textField), textField);
            String label = field(file, lineNo, node.get(labelField), labelField);
            // 1 and "1" would silently become two classes: labels are all numbers or all strings
            boolean numeric = node.get(labelField).isNumber();
            if (firstLabelLine == 0) {
                firstLabelLine = lineNo;
                numericLabels = numeric;
            } else if (numeric != numericLabels) {
                throw new AttuneException(file + ":" + lineNo + ": field '" + labelField + "' is a " + (numeric ? "number" : "string")
                        + " here but a " + (numericLabels ? "number" : "string") + " on line " + firstLabelLine + "; write every label the same way");
            }
            JsonNode group = node.get("group");
            out.add(example(file, lineNo, text, label, group == null || group.isNull() ? null : group.asText()));
        }
        return out;
    }

    private static String field(Path file, int line, JsonNode v, String name) {
        if (v == null || v.isNull()) throw new AttuneException(file + ":" + line + ": missing field '" + name + "'");
        if (v.isContainerNode()) throw new AttuneException(file + ":" + line + ": field '" + name + "' must be a string or number");
        return v.asText();
    }

    private static List<Example> readCsv(Path file, Reader reader, String textField, String labelField) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        List<Example> out = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(reader, format)) {
            List<String> header = parser.getHeaderNames();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String h : header) {
                if (!seen.add(h)) throw new AttuneException(file + ":1: column '" + h + "' appears twice in the header");
            }
            for (String f : List.of(textField, labelField)) {
                if (!header.contains(f)) throw new AttuneException(file + ":1: missing column '" + f + "' (header has " + header + ")");
            }
            var it = parser.iterator();
            while (true) {
                CSVRecord rec;
                long line = parser.getCurrentLineNumber() + 1; // the line this record starts on (header is line 1)
                try {
                    if (!it.hasNext()) break;
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw new AttuneException(file + ":" + line + ": malformed CSV (" + AttuneException.firstLine(e.getMessage()) + ")");
                }
                if (!rec.isConsistent()) {
                    throw new AttuneException(file + ":" + line + ": row has " + rec.size() + " fields, header has " + header.size());
                }
                out.add(example(file, (int) line, rec.get(textField), rec.get(labelField), header.contains("group") ? rec.get("group") : null));
            }
        }
        return out;
    }

    private static Example example(Path file, int line, String text, String label, String group) {
        if (text.isBlank()) throw new AttuneException(file + ":" + line + ": empty text");
        if (label.isBlank()) throw new AttuneException(file + ":" + line + ": empty label");
        return new Example(text, label.strip(), group, line);
    }
}
