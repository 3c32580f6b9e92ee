package dev.attune.schedule;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Policies on hand-made spectra: monotone where specified, within bounds, mean-preserving when normalised. */
class PolicyTest {
    /** Six encoder layers with the given α, plus embeddings (no fit) and a classifier (no fit). */
    static List<LayerAlpha> layers(double... alphas) {
        List<LayerAlpha> out = new ArrayList<>();
        out.add(new LayerAlpha("embeddings", 0, Double.NaN, Double.NaN));
        for (int i = 0; i < alphas.length; i++) out.add(new LayerAlpha("encoder.layer." + i, i + 1, alphas[i], Double.NaN));
        out.add(new LayerAlpha("classifier", alphas.length + 1, Double.NaN, Double.NaN));
        return out;
    }

    static final List<LayerAlpha> SIX = layers(2.0, 3.5, 2.5, 6.0, 4.0, 3.0);

    @Test
    void uniformGivesOneEverywhere() {
        Policy.uniform().multipliers(SIX).values().forEach(v -> assertEquals(1.0, v));
    }

    @Test
    void tempBalanceAssignsHigherRatesToLayersWithLargerAlphaWithinItsRange() {
        Map<String, Double> m = Policy.tempBalance(0.5, 1.5).multipliers(SIX);
        assertEquals(0.5, m.get("encoder.layer.0"), 1e-12, "smallest α gets s_min");
        assertEquals(1.5, m.get("encoder.layer.3"), 1e-12, "largest α gets s_max");
        assertEquals(0.5 + (3.5 - 2.0) / 4.0, m.get("encoder.layer.1"), 1e-12, "linear in α");
        assertMonotoneInAlpha(m, SIX);
        assertEquals(1.0, m.get("embeddings"), "a layer without a fit keeps the base rate");
        assertEquals(1.0, m.get("classifier"));
    }

    @Test
    void blockSigmoidIsMonotoneBoundedAndOneAtTheMean() {
        double bound = 0.5;
        Map<String, Double> m = Policy.blockSigmoid(bound, 2.0).multipliers(SIX);
        assertMonotoneInAlpha(m, SIX);
        for (LayerAlpha l : SIX) {
            double v = m.get(l.layer());
            assertTrue(v >= Math.pow(10, -bound) && v <= Math.pow(10, bound), l.layer() + " " + v);
        }
        double mean = (2.0 + 3.5 + 2.5 + 6.0 + 4.0 + 3.0) / 6;
        Map<String, Double> atMean = Policy.blockSigmoid(bound, 2.0).multipliers(layers(mean, mean));
        assertEquals(1.0, atMean.get("encoder.layer.0"), 1e-12);
    }

    @Test
    void layerDecayFollowsXiToTheDistanceFromTheTop() {
        Map<String, Double> m = Policy.layerDecay(0.8).multipliers(SIX);
        assertEquals(1.0, m.get("classifier"), 1e-12);
        assertEquals(Math.pow(0.8, 1), m.get("encoder.layer.5"), 1e-12);
        assertEquals(Math.pow(0.8, 7), m.get("embeddings"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Policy.layerDecay(1.5));
    }

    @Test
    void uptrainBoostsOnlySelectedLayersAboveTheThreshold() {
        Map<String, Double> m = Policy.uptrain(5, 8).multipliers(layers(9.0, 2.0, 8.0));
        assertEquals(5.0, m.get("encoder.layer.0"));
        assertEquals(1.0, m.get("encoder.layer.1"));
        assertEquals(1.0, m.get("encoder.layer.2"), "α must exceed the threshold");
    }

    @Test
    void autoGivesTheNewHeadItsOwnRate() {
        Map<String, Double> m = Policies.byName(Policies.Name.AUTO, 0.5, 1.5).multipliers(SIX);
        assertEquals(Policies.AUTO_HEAD_FACTOR, m.get("classifier"));
        assertMonotoneInAlpha(m, SIX);
    }

    @Test
    void normalisationKeepsTheMeanAndClampingKeepsTheBounds() {
        Map<String, Double> m = Multipliers.normalizeMean(Policy.tempBalance(0.2, 3.0).multipliers(SIX));
        assertEquals(1.0, m.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow(), 1e-12);
        Map<String, Double> c = Multipliers.clamp(Policy.tempBalance(0.01, 50).multipliers(SIX), 0.1, 10);
        c.values().forEach(v -> assertTrue(v >= 0.1 && v <= 10));
        Map<String, Double> g = Multipliers.global(Policy.tempBalance(0.5, 1.5).multipliers(SIX));
        assertEquals(1, g.values().stream().distinct().count(), "one global adjustment");
    }

    @Test
    void selectsLayersByNameGlobAndNumber() {
        List<String> all = List.of("embeddings", "encoder.layer.0", "encoder.layer.1", "encoder.layer.11", "classifier");
        assertEquals(List.of("encoder.layer.1", "classifier"), LayerSelection.select(List.of("classifier", "1"), all));
        assertEquals(List.of("encoder.layer.0", "encoder.layer.1", "encoder.layer.11"), LayerSelection.select(List.of("encoder.layer.*"), all));
        assertEquals(all, LayerSelection.select(List.of(), all));
        assertThrows(dev.attune.AttuneException.class, () -> LayerSelection.select(List.of("decoder"), all));
    }

    static void assertMonotoneInAlpha(Map<String, Double> m, List<LayerAlpha> layers) {
        for (LayerAlpha a : layers) {
            for (LayerAlpha b : layers) {
                if (a.hasAlpha() && b.hasAlpha() && a.alpha() < b.alpha()) {
                    assertTrue(m.get(a.layer()) <= m.get(b.layer()), a.layer() + " vs " + b.layer());
                }
            }
        }
    }

    @Test
    void layerAlphaAveragesTheFittedMatricesOfEachLayer() {
        var spectra = List.of(spectrum("encoder.layer.0.attention.self.query.weight", 2.0, null),
                spectrum("encoder.layer.0.output.dense.weight", 4.0, null),
                spectrum("encoder.layer.1.output.dense.weight", Double.NaN, "too few eigenvalues"),
                spectrum("classifier.weight", 3.0, null));
        List<LayerAlpha> a = LayerAlpha.of(spectra, List.of("encoder.layer.0", "encoder.layer.1", "classifier"), 6);
        assertEquals(new LayerAlpha("encoder.layer.0", 1, 3.0, Double.NaN), a.get(0));
        assertEquals("encoder.layer.1", a.get(1).layer());
        assertEquals(false, a.get(1).hasAlpha(), "no fitted matrix: no alpha");
        assertEquals(7, a.get(2).depth(), "the head sits above the six encoder layers");
    }

    @Test
    void forLayersClampsThenNormalisesThenAppliesGlobally() {
        // tempbalance over alphas 2 and 6 on [0.5, 1.5]: 0.5 and 1.5; clamped to [0.6, 100]: 0.6 and 1.5; embeddings and
        // classifier have no fit and keep 1, so the mean of the four is 1.025
        List<LayerAlpha> two = layers(2.0, 6.0);
        Map<String, Double> m = Multipliers.forLayers(Policy.tempBalance(0.5, 1.5), two, 0.6, 100, false, true);
        assertEquals(0.6, m.get("encoder.layer.0"), 1e-12);
        assertEquals(1.5, m.get("encoder.layer.1"), 1e-12);
        Map<String, Double> n = Multipliers.forLayers(Policy.tempBalance(0.5, 1.5), two, 0.6, 100, true, true);
        assertEquals(0.6 / 1.025, n.get("encoder.layer.0"), 1e-12, "normalised to mean 1");
        Map<String, Double> g = Multipliers.forLayers(Policy.tempBalance(0.5, 1.5), two, 0.6, 100, false, false);
        assertEquals(1.025, g.get("encoder.layer.0"), 1e-12, "one global multiplier: the mean");
        assertEquals(1.025, g.get("encoder.layer.1"), 1e-12);
    }

    static dev.attune.spectral.LayerSpectrum spectrum(String name, double alpha, String skipped) {
        return new dev.attune.spectral.LayerSpectrum(name, 16, 16, 16, alpha, 1, 8, 0.1, 0.1, 1, 0, 1, alpha, 1, 1, false, skipped);
    }
}
