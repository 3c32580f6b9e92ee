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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's configuration: YAML with snake_case keys in the sections {@code model}, {@code data}, {@code trainer},
 * {@code output} (and {@code automation}), in the vocabulary of Hugging Face's Trainer and Ludwig. Every key has a
 * documented default and range; unknown keys and out-of-range values are errors naming the file and key.
 */
public record RunConfig(Model model, Data data, Trainer trainer, Output output, Automation automation) {

    /** {@code model:} what to fine-tune and the head put on it. */
    public record Model(String name, String pooling, int intermediateSize, String intermediateActivation,
                        double classifierDropout, List<String> freeze) {}

    /** {@code data:} where the labelled texts are and how they become batches. */
    public record Data(String train, String validation, String test, String textField, String labelField,
                       int maxLength, boolean lengthBucketing) {}

    /** {@code trainer:} the optimisation. {@code learningRate} is NaN when the config says {@code auto}. */
    public record Trainer(double learningRate, int batchSize, int evalBatchSize, int epochs, int maxSteps,
                          double warmupRatio, double weightDecay, double maxGradNorm, int evalSteps, int loggingSteps,
                          long seed, String precision, String lrScheduler, int earlyStoppingPatience, double adamEpsilon) {
        public boolean autoLearningRate() {
            return Double.isNaN(learningRate);
        }

        public Trainer withLearningRate(double lr) {
            return new Trainer(lr, batchSize, evalBatchSize, epochs, maxSteps, warmupRatio, weightDecay, maxGradNorm, evalSteps,
                    loggingSteps, seed, precision, lrScheduler, earlyStoppingPatience, adamEpsilon);
        }

        public Trainer withSeed(long s) {
            return new Trainer(learningRate, batchSize, evalBatchSize, epochs, maxSteps, warmupRatio, weightDecay, maxGradNorm,
                    evalSteps, loggingSteps, s, precision, lrScheduler, earlyStoppingPatience, adamEpsilon);
        }
    }

    /** {@code output:} the run folder. */
    public record Output(String dir, boolean saveModel) {}

    /** {@code automation:} per-layer learning rates from layer spectra. */
    public record Automation(boolean enabled, boolean perLayer, List<String> layers, String policy, int refreshSteps,
                             String estimator, double minMultiplier, double maxMultiplier, boolean normalize) {
        public Automation withEnabled(boolean on) {
            return new Automation(on, perLayer, layers, policy, refreshSteps, estimator, minMultiplier, maxMultiplier, normalize);
        }
    }

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

    private static RunConfig fromTree(ObjectNode tree, String source, Section.Locator locator) {
        for (var it = tree.fieldNames(); it.hasNext(); ) {
            String s = it.next();
            if (!List.of("model", "data", "trainer", "output", "automation").contains(s)) {
                throw new ConfigException(locator.where(s, null) + ": " + s + ": unknown section (expected model, data, trainer, output, automation)");
            }
        }
        Section m = new Section(locator, "model", tree.get("model"));
        Model model = new Model(
                m.string("name", "minilm-l6"),
                m.choice("pooling", "mean", List.of("mean", "cls", "pooler")),
                m.integer("intermediate_size", 0, 0, 65536),
                m.choice("intermediate_activation", "gelu", List.of("gelu", "relu", "tanh")),
                m.number("classifier_dropout", 0.1, 0, 0.95),
                m.strings("freeze"));
        m.rejectUnknownKeys();

        Section d = new Section(locator, "data", tree.get("data"));
        Data data = new Data(
                d.requiredString("train"),
                d.string("validation", null),
                d.string("test", null),
                d.string("text_field", "text"),
                d.string("label_field", "label"),
                d.integer("max_length", 128, 8, 512),
                d.bool("length_bucketing", true));
        d.rejectUnknownKeys();

        Section t = new Section(locator, "trainer", tree.get("trainer"));
        double lr = "auto".equals(t.has("learning_rate") ? tree.get("trainer").get("learning_rate").asText() : null)
                ? consumeAuto(t) : t.number("learning_rate", 5e-5, 1e-8, 1.0);
        int batch = t.integer("batch_size", 32, 1, 4096);
        Trainer trainer = new Trainer(
                lr,
                batch,
                t.integer("eval_batch_size", 64, 1, 4096),
                t.integer("epochs", 1, 1, 1000),
                t.integer("max_steps", -1, -1, 10_000_000),
                t.number("warmup_ratio", 0.06, 0, 0.99),
                t.number("weight_decay", 0.01, 0, 1),
                t.number("max_grad_norm", 1.0, 0, 1e6),
                t.integer("eval_steps", 25, 1, 10_000_000),
                t.integer("logging_steps", 5, 1, 10_000_000),
                t.longValue("seed", 42),
                t.choice("precision", "auto", List.of("auto", "bf16", "fp32")),
                t.choice("lr_scheduler", "linear", List.of("linear", "cosine", "constant")),
                t.integer("early_stopping_patience", 0, 0, 1_000_000),
                t.number("adam_epsilon", 1e-8, 1e-12, 1e-2));
        if (trainer.maxSteps() == 0) throw t.error("max_steps", "must be -1 (use epochs) or positive");
        t.rejectUnknownKeys();

        Section o = new Section(locator, "output", tree.get("output"));
        Output output = new Output(o.string("dir", "runs/run"), o.bool("save_model", true));
        if (output.dir().isBlank()) throw o.error("dir", "must name a directory (got an empty value)");
        o.rejectUnknownKeys();

        Section a = new Section(locator, "automation", tree.get("automation"));
        Automation automation = new Automation(
                a.bool("enabled", false),
                a.bool("per_layer", true),
                a.strings("layers"),
                a.choice("policy", "auto", dev.attune.schedule.Policies.NAMES),
                a.integer("refresh_steps", 0, 0, 1_000_000),
                a.choice("estimator", "xmin_mid", List.of("xmin_mid", "ks", "xmin_peak")),
                a.number("min_multiplier", 0.5, 0.01, 100),
                a.number("max_multiplier", 1.5, 0.01, 100),
                a.bool("normalize", false));
        if (automation.minMultiplier() > automation.maxMultiplier()) throw a.error("min_multiplier", "must not exceed max_multiplier");
        a.rejectUnknownKeys();
        return new RunConfig(model, data, trainer, output, automation);
    }

    private static double consumeAuto(Section t) {
        t.string("learning_rate", null);
        return Double.NaN;
    }

    /** The resolved config (every default filled in) as a YAML document, keys in snake_case. */
    public String toYaml() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", model.name());
        m.put("pooling", model.pooling());
        m.put("intermediate_size", model.intermediateSize());
        m.put("intermediate_activation", model.intermediateActivation());
        m.put("classifier_dropout", model.classifierDropout());
        m.put("freeze", model.freeze());
        root.put("model", m);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train", data.train());
        d.put("validation", data.validation());
        d.put("test", data.test());
        d.put("text_field", data.textField());
        d.put("label_field", data.labelField());
        d.put("max_length", data.maxLength());
        d.put("length_bucketing", data.lengthBucketing());
        root.put("data", d);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("learning_rate", trainer.autoLearningRate() ? "auto" : trainer.learningRate());
        t.put("batch_size", trainer.batchSize());
        t.put("eval_batch_size", trainer.evalBatchSize());
        t.put("epochs", trainer.epochs());
        t.put("max_steps", trainer.maxSteps());
        t.put("warmup_ratio", trainer.warmupRatio());
        t.put("weight_decay", trainer.weightDecay());
        t.put("max_grad_norm", trainer.maxGradNorm());
        t.put("eval_steps", trainer.evalSteps());
        t.put("logging_steps", trainer.loggingSteps());
        t.put("seed", trainer.seed());
        t.put("precision", trainer.precision());
        t.put("lr_scheduler", trainer.lrScheduler());
        t.put("early_stopping_patience", trainer.earlyStoppingPatience());
        t.put("adam_epsilon", trainer.adamEpsilon());
        root.put("trainer", t);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("dir", output.dir());
        o.put("save_model", output.saveModel());
        root.put("output", o);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("enabled", automation.enabled());
        a.put("per_layer", automation.perLayer());
        a.put("layers", automation.layers());
        a.put("policy", automation.policy());
        a.put("refresh_steps", automation.refreshSteps());
        a.put("estimator", automation.estimator());
        a.put("min_multiplier", automation.minMultiplier());
        a.put("max_multiplier", automation.maxMultiplier());
        a.put("normalize", automation.normalize());
        root.put("automation", a);
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys that change how a run is reported or where it goes, never what its steps compute. */
    private static final java.util.Set<String> NOT_TRAINING = java.util.Set.of(
            "trainer.eval_batch_size", "trainer.logging_steps", "output.dir");

    /**
     * The training-relevant keys (model, data, rates, schedule, batch size, seed, precision, automation...) on which
     * {@code other} differs from this config, as {@code section.key: this → other}; empty when a run of this config
     * can be continued under {@code other}.
     */
    public List<String> trainingDifferences(RunConfig other) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode a = YAML.readTree(toYaml()), b = YAML.readTree(other.toYaml());
            for (var sections = a.fieldNames(); sections.hasNext(); ) {
                String section = sections.next();
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

    public RunConfig withOutputDir(String dir) {
        return new RunConfig(model, data, trainer, new Output(dir, output.saveModel()), automation);
    }

    public RunConfig withTrainer(Trainer t) {
        return new RunConfig(model, data, t, output, automation);
    }

    public RunConfig withAutomation(Automation a) {
        return new RunConfig(model, data, trainer, output, a);
    }

    /** Every {@code --set} override as a list, for callers that build them. */
    public static List<String> overrides(String... kv) {
        return new ArrayList<>(List.of(kv));
    }
}
