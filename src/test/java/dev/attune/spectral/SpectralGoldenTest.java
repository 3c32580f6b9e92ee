package dev.attune.spectral;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.model.Pretrained;
import dev.attune.model.WeightArray;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * α and D for real minilm-l6 matrices against an independent numpy implementation of the same estimators
 * (src/test/resources/golden/spectral_golden.py; its output is committed beside it). To regenerate:
 * {@code java ... SpectralGoldenTest export DIR}, then {@code python3 spectral_golden.py DIR}.
 */
class SpectralGoldenTest {
    static final List<String> MATRICES = List.of(
            "encoder.layer.0.attention.self.query.weight",
            "encoder.layer.3.intermediate.dense.weight",
            "encoder.layer.5.output.dense.weight");

    @Test
    void alphaAndDistanceAgreeWithNumpyWithin1e6() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(SpectralGoldenTest.class.getResourceAsStream("/golden/spectral_golden.json"));
        Map<String, WeightArray> w = Pretrained.readWeightArrays("minilm-l6");
        for (String name : MATRICES) {
            WeightArray m = w.get(name);
            double[] ev = new EjmlEigenSolver().gramEigenvalues(m.data(), m.rows(), m.cols());
            JsonNode g = golden.get(name);
            for (PowerLaw.Estimator e : List.of(PowerLaw.Estimator.XMIN_MID, PowerLaw.Estimator.KS)) {
                LayerSpectrum s = SpectralAnalyzer.fromEigenvalues(name, m.rows(), m.cols(), ev, SpectralAnalyzer.Options.defaults().withEstimator(e));
                JsonNode ge = g.get(e.key());
                assertEquals(g.get("eigenvalues").asInt(), s.eigenvalues(), name);
                assertRelative(ge.get("alpha").asDouble(), s.alpha(), name + " " + e + " alpha");
                assertRelative(ge.get("D").asDouble(), s.ksDistance(), name + " " + e + " D");
                assertRelative(ge.get("xmin").asDouble(), s.xmin(), name + " " + e + " xmin");
                assertEquals(ge.get("n_tail").asInt(), s.nTail(), name + " " + e + " n_tail");
            }
        }
    }

    @Test
    void theAnalysisRecipeGivesTheSameAlphaForEveryGoldenMatrix() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(SpectralGoldenTest.class.getResourceAsStream("/golden/spectral_golden.json"));
        var result = dev.attune.Analyze.run("minilm-l6", false, dev.attune.Analyze.Arithmetic.JAVA, SpectralAnalyzer.Options.defaults());
        assertEquals(36, result.spectra().size(), "6 layers x (query, key, value, attention output, intermediate, output)");
        assertEquals("encoder.layer.0.attention.self.query.weight", result.spectra().get(0).name(), "depth order");
        for (String name : MATRICES) {
            LayerSpectrum s = result.spectra().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            assertRelative(golden.get(name).get("xmin_mid").get("alpha").asDouble(), s.alpha(), name + " alpha via Analyze");
        }
    }

    /** EJML's eigenvalues and the fits are pure Java, so these values are the same on every CPU; worst measured 1.5e-13. */
    static void assertRelative(double expected, double actual, String what) {
        dev.attune.Tolerance.atMost(what + " against numpy, relative error", Math.abs(expected - actual) / Math.max(Math.abs(expected), 1e-300), 1e-6);
    }

    /** Writes the matrices as raw float32 files for the numpy script. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 1 ? args[1] : "target/golden");
        Files.createDirectories(dir);
        Map<String, WeightArray> w = Pretrained.readWeightArrays("minilm-l6");
        for (String name : MATRICES) {
            WeightArray m = w.get(name);
            ByteBuffer b = ByteBuffer.allocate(m.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(m.data());
            Files.write(dir.resolve(name + "." + m.rows() + "x" + m.cols() + ".f32"), b.array());
        }
        System.out.println("wrote " + MATRICES.size() + " matrices to " + dir);
    }
}
