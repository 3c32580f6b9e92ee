package dev.attune.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face fast tokenizer (the Rust implementation, through DJL's binding) loaded from a model's own
 * {@code tokenizer.json}. Batches are truncated to a maximum length and padded to their longest row.
 */
public final class Tokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer hf;
    private final Path file;
    private final int vocabSize;
    private final long padId;
    private final long unkId;

    private Tokenizer(HuggingFaceTokenizer hf, Path file, int vocabSize, long padId, long unkId) {
        this.hf = hf;
        this.file = file;
        this.vocabSize = vocabSize;
        this.padId = padId;
        this.unkId = unkId;
    }

    /** Loads a tokenizer.json file; truncation and padding stored in the file are replaced by attune's own. */
    public static Tokenizer load(Path tokenizerJson) {
        dev.attune.Offline.ensure();
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new AttuneException(tokenizerJson + ": not a readable tokenizer.json (" + AttuneException.firstLine(e.getMessage()) + ")", e);
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new AttuneException(tokenizerJson + ": tokenizer.json has no WordPiece vocabulary (model.vocab)");
        }
        int maxId = -1;
        for (JsonNode id : (Iterable<JsonNode>) vocab::elements) maxId = Math.max(maxId, id.asInt());
        for (JsonNode t : root.path("added_tokens")) maxId = Math.max(maxId, t.path("id").asInt());
        long pad = vocab.path("[PAD]").asLong(0);
        long unk = vocab.path(root.path("model").path("unk_token").asText("[UNK]")).asLong(-1);
        try {
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
            return new Tokenizer(hf, tokenizerJson, maxId + 1, pad, unk);
        } catch (IOException | RuntimeException e) {
            throw new AttuneException(tokenizerJson + ": the tokenizer library rejected it (" + AttuneException.firstLine(e.getMessage()) + ")", e);
        }
    }

    /**
     * Writes a standard BERT tokenizer.json (lower-casing BertNormalizer, WordPiece, [CLS] A [SEP] template) for a
     * {@code vocab.txt} with one token per line, so models that ship only a vocabulary load the same way.
     */
    public static void writeBertTokenizerJson(Path vocabTxt, Path out, boolean lowercase) throws IOException {
        List<String> tokens = Files.readAllLines(vocabTxt);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode vocab = JSON.createObjectNode();
        for (int i = 0; i < tokens.size(); i++) if (!tokens.get(i).isEmpty()) vocab.put(tokens.get(i), i);
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            if (!vocab.has(special)) throw new AttuneException(vocabTxt + ": vocabulary lacks " + special);
            ObjectNode t = added.addObject();
            t.put("id", vocab.get(special).asInt());
            t.put("content", special);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "BertNormalizer");
        norm.put("clean_text", true);
        norm.put("handle_chinese_chars", true);
        norm.putNull("strip_accents");
        norm.put("lowercase", lowercase);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : List.of("[CLS]", "[SEP]")) {
            ObjectNode e = specials.putObject(s);
            e.put("id", s);
            e.putArray("ids").add(vocab.get(s).asInt());
            e.putArray("tokens").add(s);
        }
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "WordPiece");
        dec.put("prefix", "##");
        dec.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        model.set("vocab", vocab);
        Files.writeString(out, JSON.writeValueAsString(root));
    }

    private static void special(ArrayNode a, String id, int type) {
        ObjectNode s = a.addObject().putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", type);
    }

    private static void sequence(ArrayNode a, String id, int type) {
        ObjectNode s = a.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", type);
    }

    /** Number of ids this tokenizer can produce (largest id + 1). */
    public int vocabSize() {
        return vocabSize;
    }

    public Path file() {
        return file;
    }

    /** Token ids of one text with [CLS] and [SEP], untruncated. */
    public long[] ids(String text) {
        return hf.encode(text).getIds();
    }

    public String token(long id) {
        return hf.decode(new long[] {id}, false).trim();
    }

    /**
     * Encodes texts into a batch padded to the longest row, each truncated to {@code maxLength} tokens
     * (keeping the final [SEP]).
     */
    public TokenBatch encode(List<String> texts, int maxLength) {
        if (texts.isEmpty()) throw new AttuneException("no texts to encode");
        return TokenBatch.pad(java.util.Arrays.asList(encodeEach(texts, maxLength)), padId);
    }

    /** Token ids of each text with special tokens, truncated to {@code maxLength} (keeping the final [SEP]), unpadded. */
    public long[][] encodeEach(List<String> texts, int maxLength) {
        if (maxLength < 2) throw new AttuneException("max_length must be at least 2, got " + maxLength);
        long[][] out = new long[texts.size()][];
        int chunk = 256;
        for (int start = 0; start < texts.size(); start += chunk) {
            Encoding[] enc = hf.batchEncode(texts.subList(start, Math.min(texts.size(), start + chunk)));
            for (int i = 0; i < enc.length; i++) {
                long[] ids = enc[i].getIds();
                if (ids.length > maxLength) {
                    long sep = ids[ids.length - 1];
                    ids = java.util.Arrays.copyOf(ids, maxLength);
                    ids[maxLength - 1] = sep;
                }
                out[start + i] = ids;
            }
        }
        return out;
    }

    public long padId() {
        return padId;
    }

    /** The id of the unknown-word token, or -1 when the vocabulary has none. */
    public long unkId() {
        return unkId;
    }

    @Override
    public void close() {
        hf.close();
    }
}
