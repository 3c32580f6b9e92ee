package dev.attune.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunConfigTest {
    static final String EXAMPLE = """
            model:   {name: minilm-l6, pooling: mean, intermediate_size: 0}
            data:    {train: data/spamassassin/train.jsonl, validation: data/spamassassin/validation.jsonl, test: data/spamassassin/test.jsonl, text_field: text, label_field: label, max_length: 128}
            trainer: {learning_rate: 5.0e-5, batch_size: 32, epochs: 1, max_steps: -1, warmup_ratio: 0.06, weight_decay: 0.01, max_grad_norm: 1.0, eval_steps: 25, seed: 42, precision: auto}
            output:  {dir: runs/spam}
            """;

    @Test
    void readsTheDocumentedExample() {
        RunConfig c = RunConfig.parse(EXAMPLE, "spam.yaml", List.of());
        assertEquals("minilm-l6", c.model().name());
        assertEquals(RunConfig.Pooling.MEAN, c.model().pooling());
        assertEquals(5e-5, c.trainer().learningRate(), 0);
        assertEquals(32, c.trainer().batchSize());
        assertEquals(-1, c.trainer().maxSteps());
        assertEquals(RunConfig.Precision.AUTO, c.trainer().precision());
        assertEquals("data/spamassassin/test.jsonl", c.data().test());
        assertEquals("runs/spam", c.output().dir());
    }

    @Test
    void overridesAnyKeyFromTheCommandLine() {
        RunConfig c = RunConfig.parse(EXAMPLE, "spam.yaml", List.of("trainer.learning_rate=3e-5", "model.intermediate_size=64",
                "data.length_bucketing=false", "model.freeze=[embeddings, encoder.layer.0]"));
        assertEquals(3e-5, c.trainer().learningRate(), 0);
        assertEquals(64, c.model().intermediateSize());
        assertEquals(false, c.data().lengthBucketing());
        assertEquals(List.of("embeddings", "encoder.layer.0"), c.model().freeze());
    }

    @Test
    void resolvedConfigReadsBackToTheSameValues() {
        RunConfig c = RunConfig.parse(EXAMPLE, "spam.yaml", List.of("trainer.lr_scheduler=cosine", "automation.enabled=true"));
        assertEquals(c, RunConfig.parse(c.toYaml(), "resolved.yaml", List.of()));
    }

    @Test
    void unknownKeysAndBadValuesNameTheFileAndKey() {
        var e = assertThrows(ConfigException.class, () -> RunConfig.parse(EXAMPLE, "spam.yaml", List.of("trainer.learning_rat=1")));
        assertEquals("--set trainer.learning_rat=1: trainer.learning_rat: unknown key", e.getMessage(), "the option is to blame, not the file");
        e = assertThrows(ConfigException.class, () -> RunConfig.parse(EXAMPLE, "spam.yaml", List.of("trainer.batch_size=0")));
        assertTrue(e.getMessage().startsWith("--set trainer.batch_size=0: trainer.batch_size: must be between 1 and 4096"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> RunConfig.parse("data: {train: a.jsonl}\ntrainer:\n  seed: 1\n  learning_rat: 1\n", "d.yaml", List.of()));
        assertEquals("d.yaml:4: trainer.learning_rat: unknown key", e.getMessage(), "a key in the file is named with its line");
        e = assertThrows(ConfigException.class, () -> RunConfig.parse("model: {name: x}\n", "c.yaml", List.of()));
        assertEquals("c.yaml: data.train: is required", e.getMessage());
    }

    @Test
    void augmentationNamesAreChecked() {
        var c = RunConfig.parse("data: {train: a.jsonl, augment: [crop, strip_footer]}\n", "a.yaml", List.of());
        assertEquals(List.of("crop", "strip_footer"), c.data().augment());
        var e = assertThrows(ConfigException.class, () -> RunConfig.parse("data:\n  train: a.jsonl\n  augment: [crop, shuffle]\n", "a.yaml", List.of()));
        assertTrue(e.getMessage().startsWith("a.yaml:3: data.augment: unknown operation 'shuffle' (allowed: crop, subject_only"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> RunConfig.parse("data: {train: a.jsonl}\ndecision: {max_flag_rate: 0.7}\n", "a.yaml", List.of()));
        assertTrue(e.getMessage().startsWith("a.yaml:2: decision.max_flag_rate"), e.getMessage());
    }

    @Test
    void modelDropoutDefaultsToTheModelsOwnAndIsRangeChecked() {
        RunConfig c = RunConfig.parse("data: {train: a.jsonl}\n", "a.yaml", List.of());
        assertTrue(Double.isNaN(c.model().dropout()), "auto: the model's config.json decides");
        assertTrue(c.toYaml().contains("  dropout: auto"), c.toYaml());
        assertEquals(c, RunConfig.parse(c.toYaml(), "resolved.yaml", List.of()));
        assertEquals(0.0, RunConfig.parse("model: {dropout: 0}\ndata: {train: a.jsonl}\n", "a.yaml", List.of()).model().dropout(), 0);
        var e = assertThrows(ConfigException.class, () -> RunConfig.parse("data: {train: a.jsonl}\n", "a.yaml", List.of("model.dropout=1.5")));
        assertTrue(e.getMessage().startsWith("--set model.dropout=1.5: model.dropout: must be between 0"), e.getMessage());
    }

    @Test
    void learningRateMayBeAuto() {
        RunConfig c = RunConfig.parse(EXAMPLE, "spam.yaml", List.of("trainer.learning_rate=auto"));
        assertTrue(c.trainer().autoLearningRate());
    }

    @Test
    void everyDeclaredKeyIsWrittenWithItsDefault() {
        String yaml = RunConfig.parse("data: {train: t.jsonl}\n", "c.yaml", List.of()).toYaml();
        for (String line : List.of("name: minilm-l6", "pooling: mean", "max_length: 128", "learning_rate: 5.0E-5", "batch_size: 32",
                "lr_scheduler: linear", "precision: auto", "adam_epsilon: 1.0E-8", "dir: runs/run", "policy: auto", "estimator: xmin_mid",
                "validation: null", "freeze: []", "rate_search: successive_halving", "analysis_budget: 0.02", "curvature_steps: 0",
                "extra_train: []", "augment: []", "augment_probability: 0.5", "extra_tests: []", "class_weights: none", "activation_checkpointing: false", "temperature_scaling: true",
                "max_flag_rate: 0.0", "  dropout: auto")) {
            assertTrue(yaml.contains(line), line + " in:\n" + yaml);
        }
        assertEquals(6 + 53, yaml.lines().count(), "six sections, 7 + 12 + 17 + 2 + 12 + 3 keys");
    }

    @Test
    void withChangesOneKeyAndKeepsTheRest() {
        RunConfig c = RunConfig.parse(EXAMPLE, "spam.yaml", List.of());
        RunConfig d = c.with("trainer.seed", 7L).with("automation.enabled", true).with("output.dir", "elsewhere");
        assertEquals(7, d.trainer().seed());
        assertTrue(d.automation().enabled());
        assertEquals("elsewhere", d.output().dir());
        assertEquals(List.of("trainer.seed: 42 -> 7", "automation.enabled: false -> true"), c.trainingDifferences(d),
                "output.dir does not change what training computes");
        assertThrows(IllegalArgumentException.class, () -> c.with("trainer.no_such_key", 1));
    }
}
