package dev.attune.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.attune.Choice;
import dev.attune.schedule.Policies;
import dev.attune.spectral.PowerLaw;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's configuration: YAML with snake_case keys in the sections {@code model}, {@code data}, {@code trainer},
 * {@code output} (and {@code automation}), in the vocabulary of Hugging Face's Trainer and Ludwig. Every key is
 * declared once, with its default and range, by a {@link Key} on the record component that holds it; unknown keys
 * and out-of-range values are errors naming the file and line, or the {@code --set} option.
 */
public record RunConfig(Model model, Data data, Trainer trainer, Output output, Automation automation, Decision decision) {

    /** {@code model:} what to fine-tune and the head put on it. */
    public record Model(@Key(value = "name", def = "minilm-l6") String name,
                        @Key(value = "pooling", def = "mean") Pooling pooling,
                        @Key(value = "intermediate_size", def = "0", min = 0, max = 65536) int intermediateSize,
                        @Key(value = "intermediate_activation", def = "gelu") Activation intermediateActivation,
                        @Key(value = "classifier_dropout", def = "0.1", min = 0, max = 0.95) double classifierDropout,
                        @Key(value = "dropout", def = "auto", min = 0, max = 0.95, auto = true) double dropout,
                        @Key("freeze") List<String> freeze) {}

    /** {@code data:} where the labelled texts are and how they become batches. */
    public record Data(@Key(value = "train", required = true) String train,
                       @Key("extra_train") List<String> extraTrain,
                       @Key(value = "extra_train_copies", def = "1", min = 1, max = 100) int extraTrainCopies,
                       @Key("validation") String validation,
                       @Key("test") String test,
                       @Key(value = "text_field", def = "text") String textField,
                       @Key(value = "label_field", def = "label") String labelField,
                       @Key(value = "max_length", def = "128", min = 8, max = 512) int maxLength,
                       @Key(value = "length_bucketing", def = "true") boolean lengthBucketing,
                       @Key("augment") List<String> augment,
                       @Key(value = "augment_probability", def = "0.5", min = 0, max = 1) double augmentProbability,
                       @Key("extra_tests") List<String> extraTests) {}

    /** {@code trainer:} the optimisation. {@code learningRate} is NaN when the config says {@code auto}. */
    public record Trainer(@Key(value = "learning_rate", def = "5.0e-5", min = 1e-8, max = 1.0, auto = true) double learningRate,
                          @Key(value = "batch_size", def = "32", min = 1, max = 4096) int batchSize,
                          @Key(value = "eval_batch_size", def = "64", min = 1, max = 4096) int evalBatchSize,
                          @Key(value = "epochs", def = "1", min = 1, max = 1000) int epochs,
                          @Key(value = "max_steps", def = "-1", min = -1, max = 10_000_000) int maxSteps,
                          @Key(value = "warmup_ratio", def = "0.06", min = 0, max = 0.99) double warmupRatio,
                          @Key(value = "weight_decay", def = "0.01", min = 0, max = 1) double weightDecay,
                          @Key(value = "max_grad_norm", def = "1.0", min = 0, max = 1e6) double maxGradNorm,
                          @Key(value = "eval_steps", def = "25", min = 1, max = 10_000_000) int evalSteps,
                          @Key(value = "logging_steps", def = "5", min = 1, max = 10_000_000) int loggingSteps,
                          @Key(value = "seed", def = "42") long seed,
                          @Key(value = "precision", def = "auto") Precision precision,
                          @Key(value = "lr_scheduler", def = "linear") Scheduler lrScheduler,
                          @Key(value = "early_stopping_patience", def = "0", min = 0, max = 1_000_000) int earlyStoppingPatience,
                          @Key(value = "adam_epsilon", def = "1.0e-8", min = 1e-12, max = 1e-2) double adamEpsilon,
                          @Key(value = "class_weights", def = "none") ClassWeights classWeights,
                          @Key(value = "activation_checkpointing", def = "false") boolean activationCheckpointing) {
        public boolean autoLearningRate() {
            return Double.isNaN(learningRate);
        }
    }

    /** {@code output:} the run folder. */
    public record Output(@Key(value = "dir", def = "runs/run") String dir,
                         @Key(value = "save_model", def = "true") boolean saveModel) {}

    /** {@code automation:} per-layer learning rates from layer spectra. */
    public record Automation(@Key(value = "enabled", def = "false") boolean enabled,
                             @Key(value = "per_layer", def = "true") boolean perLayer,
                             @Key("layers") List<String> layers,
                             @Key(value = "policy", def = "auto") Policies.Name policy,
                             @Key(value = "refresh_steps", def = "0", min = 0, max = 1_000_000) int refreshSteps,
                             @Key(value = "estimator", def = "xmin_mid") PowerLaw.Estimator estimator,
                             @Key(value = "min_multiplier", def = "0.5", min = 0.01, max = 100) double minMultiplier,
                             @Key(value = "max_multiplier", def = "1.5", min = 0.01, max = 100) double maxMultiplier,
                             @Key(value = "normalize", def = "false") boolean normalize,
                             @Key(value = "rate_search", def = "successive_halving") RateSearchMethod rateSearch,
                             @Key(value = "analysis_budget", def = "0.02", min = 0, max = 1) double analysisBudget,
                             @Key(value = "curvature_steps", def = "0", min = 0, max = 1_000_000) int curvatureSteps) {}

    /**
     * {@code decision:} how probabilities become labels after training. Temperature scaling fitted on the validation
     * split; with {@code max_flag_rate > 0} (two classes), the positive label is predicted only above the threshold at
     * which that fraction of the validation split's other examples would be flagged (a spam filter's lost legitimate
     * mail). {@code positive_label} empty means the second label in sorted order.
     */
    public record Decision(@Key(value = "temperature_scaling", def = "true") boolean temperatureScaling,
                           @Key(value = "max_flag_rate", def = "0", min = 0, max = 0.5) double maxFlagRate,
                           @Key(value = "positive_label", def = "") String positiveLabel) {}

    /** Cross-entropy weights per class: all 1, or N / (C · n_c) from the training labels (rare classes count more). */
    public enum ClassWeights implements Choice { NONE, BALANCED }

    /**
     * How {@code learning_rate: auto} is resolved: successive halving over the rates a sweep would try (the default), or
     * the range test (40 steps of a growing rate; cheaper, and measured 3× too high on one task).
     */
    public enum RateSearchMethod implements Choice { SUCCESSIVE_HALVING, RANGE_TEST }

    /** bf16 autocast, fp32, or bf16 where the CPU has bf16 instructions. */
    public enum Precision implements Choice { AUTO, BF16, FP32 }

    /** The global learning-rate schedule after warmup. */
    public enum Scheduler implements Choice { LINEAR, COSINE, CONSTANT }

    /** How the encoder's output becomes one vector per text. */
    public enum Pooling implements Choice { MEAN, CLS, POOLER }

    /** The activation of the optional {@code pre_classifier} layer. */
    public enum Activation implements Choice { GELU, RELU, TANH }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION); // a key given twice is an error


    /** Reads a YAML file and applies {@code section.key=value} overrides. */
    public static RunConfig load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(text, file.toString(), overrides);
    }

    public static RunConfig parse(String yaml, String source, List<String> overrides) {
        JsonNode root;
        try {
            root = yaml.isBlank() ? JsonNodeFactory.instance.objectNode() : YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(source + (line > 0 ? ":" + line : "") + ": not valid YAML (" + e.getOriginalMessage() + ")");
        }
        if (root == null || root.isNull() || root.isMissingNode()) root = JsonNodeFactory.instance.objectNode();
        if (!root.isObject()) throw new ConfigException(source + ": top level must be a mapping with sections model, data, trainer, output");
        ObjectNode tree = (ObjectNode) root;
        java.util.Map<String, String> overridden = new java.util.HashMap<>();
        for (String o : overrides) overridden.put(applyOverride(tree, o, source), o);
        String[] lines = yaml.split("\n", -1);
        Section.Locator locator = (section, key) -> {
            String option = overridden.get(section + "." + key);
            if (option != null) return "--set " + option;
            int line = lineOf(lines, section, key);
            return line > 0 ? source + ":" + line : source;
        };
        return fromTree(tree, source, locator);
    }

    /** The 1-based line where {@code section} (and {@code key} inside it) is written, or 0 when not found. */
    static int lineOf(String[] lines, String section, String key) {
        java.util.regex.Pattern sectionLine = java.util.regex.Pattern.compile("^" + java.util.regex.Pattern.quote(section) + "\\s*:.*");
        java.util.regex.Pattern keyAt = key == null ? null
                : java.util.regex.Pattern.compile("(^|[\\s{,])" + java.util.regex.Pattern.quote(key) + "\\s*:");
        for (int i = 0; i < lines.length; i++) {
            if (!sectionLine.matcher(lines[i]).matches()) continue;
            if (keyAt == null) return i + 1;
            for (int j = i; j < lines.length; j++) {
                if (j > i && !lines[j].isEmpty() && !Character.isWhitespace(lines[j].charAt(0)) && !lines[j].startsWith("#")) break;
                String body = j == i ? lines[j].substring(lines[j].indexOf(':') + 1) : lines[j];
                if (keyAt.matcher(body).find()) return j + 1;
            }
            return i + 1;
        }
        return 0;
    }

    /** Applies one {@code section.key=value} override; returns {@code section.key}. */
    private static String applyOverride(ObjectNode tree, String override, String source) {
        int eq = override.indexOf('=');
        int dot = override.indexOf('.');
        if (eq < 0 || dot < 0 || dot > eq) {
            throw new ConfigException("--set " + override + ": expected section.key=value (for example trainer.learning_rate=3e-5)");
        }
        String section = override.substring(0, dot), key = override.substring(dot + 1, eq), value = override.substring(eq + 1);
        JsonNode sec = tree.get(section);
        if (sec == null || sec.isNull()) sec = tree.putObject(section);
        if (!sec.isObject()) throw new ConfigException("--set " + override + ": section '" + section + "' is not a mapping");
        JsonNode parsed;
        try {
            parsed = value.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(value);
        } catch (JsonProcessingException e) {
            parsed = JsonNodeFactory.instance.textNode(value);
        }
        ((ObjectNode) sec).set(key, parsed == null ? JsonNodeFactory.instance.nullNode() : parsed);
        return section + "." + key;
    }

    private static final List<String> SECTIONS = List.of("model", "data", "trainer", "output", "automation", "decision");

    private static RunConfig fromTree(ObjectNode tree, String source, Section.Locator locator) {
        for (var it = tree.fieldNames(); it.hasNext(); ) {
            String s = it.next();
            if (!SECTIONS.contains(s)) {
                throw new ConfigException(locator.where(s, null) + ": " + s + ": unknown section (expected model, data, trainer, output, automation, decision)");
            }
        }
        Map<String, Section> sections = new LinkedHashMap<>();
        Object[] values = new Object[SECTIONS.size()];
        RecordComponent[] parts = RunConfig.class.getRecordComponents();
        for (int i = 0; i < parts.length; i++) {
            Section section = new Section(locator, parts[i].getName(), tree.get(parts[i].getName()));
            sections.put(parts[i].getName(), section);
            values[i] = readSection(section, parts[i].getType());
            section.rejectUnknownKeys();
        }
        RunConfig c = construct(RunConfig.class, values);
        // rules that tie two keys together
        if (c.trainer().maxSteps() == 0) throw sections.get("trainer").error("max_steps", "must be -1 (use epochs) or positive");
        if (c.output().dir().isBlank()) throw sections.get("output").error("dir", "must name a directory (got an empty value)");
        for (String op : c.data().augment()) {
            if (java.util.Arrays.stream(dev.attune.data.Augmentation.Op.values()).noneMatch(o -> o.key().equals(op))) {
                throw sections.get("data").error("augment", "unknown operation '" + op + "' (allowed: "
                        + String.join(", ", java.util.Arrays.stream(dev.attune.data.Augmentation.Op.values()).map(Choice::key).toList()) + ")");
            }
        }
        if (c.automation().minMultiplier() > c.automation().maxMultiplier()) {
            throw sections.get("automation").error("min_multiplier", "must not exceed max_multiplier");
        }
        return c;
    }

    /** Reads every declared key of one section record, in declaration order. */
    private static Object readSection(Section section, Class<?> type) {
        RecordComponent[] keys = type.getRecordComponents();
        Object[] values = new Object[keys.length];
        for (int i = 0; i < keys.length; i++) values[i] = readKey(section, keys[i]);
        return construct(type, values);
    }

    private static Object readKey(Section s, RecordComponent component) {
        Key k = component.getAnnotation(Key.class);
        Class<?> type = component.getType();
        String def = k.def().isEmpty() ? null : k.def();
        if (type == String.class) return k.required() ? s.requiredString(k.value()) : s.string(k.value(), def);
        if (type == int.class) return s.integer(k.value(), Integer.parseInt(def), (int) k.min(), (int) k.max());
        if (type == long.class) return s.longValue(k.value(), Long.parseLong(def));
        if (type == boolean.class) return s.bool(k.value(), Boolean.parseBoolean(def));
        if (type == List.class) return s.strings(k.value());
        if (type == double.class) {
            if (k.auto() && "auto".equals(s.text(k.value()))) {
                s.string(k.value(), null);
                return Double.NaN;
            }
            if (k.auto() && "auto".equals(def) && s.text(k.value()) == null) return Double.NaN;
            return s.number(k.value(), "auto".equals(def) ? Double.NaN : Double.parseDouble(def), k.min(), k.max());
        }
        if (type.isEnum()) {
            List<String> allowed = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) allowed.add(((Choice) constant).key());
            String chosen = s.choice(k.value(), def, allowed);
            return type.getEnumConstants()[allowed.indexOf(chosen)];
        }
        throw new IllegalStateException("config key " + k.value() + " has an unsupported type " + type);
    }

    private static <T> T construct(Class<T> type, Object[] values) {
        try {
            Class<?>[] types = java.util.Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    /** The resolved config (every default filled in) as a YAML document, keys in snake_case, in declaration order. */
    public String toYaml() {
        Map<String, Object> root = new LinkedHashMap<>();
        for (RecordComponent part : RunConfig.class.getRecordComponents()) {
            Object section = get(part, this);
            Map<String, Object> keys = new LinkedHashMap<>();
            for (RecordComponent c : part.getType().getRecordComponents()) {
                Object v = get(c, section);
                if (v instanceof Choice choice) v = choice.key();
                else if (v instanceof Double d && d.isNaN() && c.getAnnotation(Key.class).auto()) v = "auto";
                keys.put(c.getAnnotation(Key.class).value(), v);
            }
            root.put(part.getName(), keys);
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object get(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This config with one key changed, {@code section.key} as in YAML ({@code trainer.learning_rate}); the value has
     * the key's type (a number, text, true/false, a list or the mode's enum constant).
     */
    public RunConfig with(String key, Object value) {
        int dot = key.indexOf('.');
        String sectionName = key.substring(0, dot), name = key.substring(dot + 1);
        RecordComponent[] parts = RunConfig.class.getRecordComponents();
        Object[] sections = new Object[parts.length];
        boolean found = false;
        for (int i = 0; i < parts.length; i++) {
            sections[i] = get(parts[i], this);
            if (!parts[i].getName().equals(sectionName)) continue;
            RecordComponent[] keys = parts[i].getType().getRecordComponents();
            Object[] values = new Object[keys.length];
            for (int j = 0; j < keys.length; j++) {
                boolean match = keys[j].getAnnotation(Key.class).value().equals(name);
                values[j] = match ? value : get(keys[j], sections[i]);
                found |= match;
            }
            sections[i] = construct(parts[i].getType(), values);
        }
        if (!found) throw new IllegalArgumentException("no config key " + key);
        return construct(RunConfig.class, sections);
    }

    /** Keys that change how a run is reported or where it goes, never what its steps compute. */
    private static final java.util.Set<String> NOT_TRAINING = java.util.Set.of(
            "trainer.eval_batch_size", "trainer.logging_steps", "output.dir", "data.extra_tests");

    /**
     * The training-relevant keys (model, data, rates, schedule, batch size, seed, precision, automation...) on which
     * {@code other} differs from this config, as {@code section.key: this → other}; empty when a run of this config
     * can be continued under {@code other}.
     */
    public List<String> trainingDifferences(RunConfig other) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode a = YAML.readTree(toYaml()), b = YAML.readTree(other.toYaml());
            // with automation off on both sides, its other settings change nothing
            boolean automationOff = !automation().enabled() && !other.automation().enabled();
            for (var sections = a.fieldNames(); sections.hasNext(); ) {
                String section = sections.next();
                if (automationOff && section.equals("automation") || section.equals("decision")) continue;
                for (var keys = a.get(section).fieldNames(); keys.hasNext(); ) {
                    String key = keys.next(), name = section + "." + key;
                    JsonNode x = a.get(section).get(key), y = b.path(section).path(key);
                    if (!NOT_TRAINING.contains(name) && !x.equals(y)) out.add(name + ": " + text(x) + " -> " + text(y));
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "(none)" : n.isValueNode() ? n.asText() : n.toString();
    }

    /** Every {@code --set} override as a list, for callers that build them. */
    public static List<String> overrides(String... kv) {
        return new ArrayList<>(List.of(kv));
    }
}
