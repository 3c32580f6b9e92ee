package dev.attune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;
import dev.attune.model.ModelCatalog;
import dev.attune.model.Pretrained;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Write mean-pooled, L2-normalised sentence embeddings as JSONL, one object per input line.")
final class EncodeCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Catalog name or model directory (default: ${DEFAULT-VALUE}).",
            defaultValue = ModelCatalog.DEFAULT)
    String model;

    @Option(names = "--input", description = "Text file, one text per line (default: standard input).")
    Path input;

    @Option(names = "--output", description = "JSONL file to write (default: standard output).")
    Path output;

    @Option(names = "--max-length", defaultValue = "128", description = "Tokens per text after truncation (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--batch-size", defaultValue = "32", description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or bf16 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Override
    public Integer call() throws IOException {
        Options.requireRange("--batch-size", batchSize, 1, 4096);
        Options.requireRange("--max-length", maxLength, 2, 512);
        if (!precision.equals("fp32") && !precision.equals("bf16")) throw new AttuneException("--precision must be fp32 or bf16");
        List<String> texts = TextLines.read(input);
        ObjectMapper json = new ObjectMapper();
        try (Pretrained p = Pretrained.load(model);
             PrintStream out = output == null ? new PrintStream(System.out, false, StandardCharsets.UTF_8)
                     : new PrintStream(Files.newOutputStream(output), false, StandardCharsets.UTF_8)) {
            for (int start = 0; start < texts.size(); start += batchSize) {
                List<String> chunk = texts.subList(start, Math.min(texts.size(), start + batchSize));
                float[][] emb = p.embed(chunk, maxLength, batchSize, precision.equals("bf16"));
                for (int i = 0; i < chunk.size(); i++) {
                    ObjectNode o = json.createObjectNode();
                    o.put("text", chunk.get(i));
                    var arr = o.putArray("embedding");
                    for (float f : emb[i]) arr.add(f);
                    out.println(json.writeValueAsString(o));
                }
                out.flush();
            }
        }
        return 0;
    }
}
