package dev.attune;

import dev.attune.engine.Engine;
import dev.attune.engine.TorchEigenSolver;
import dev.attune.model.Pretrained;
import dev.attune.model.WeightMatrices;
import dev.attune.spectral.EigenSolver;
import dev.attune.spectral.EjmlEigenSolver;
import dev.attune.spectral.LayerSpectrum;
import dev.attune.spectral.SpectralAnalyzer;

import java.util.List;

/**
 * The spectral analysis of a model's weight matrices (HT-SR): every matrix's Gram eigenvalues and power-law fit,
 * in depth order, timed. {@code attune analyze} renders what this returns.
 */
public final class Analyze {
    /** How eigenvalues are computed: libtorch in fp32 (fast) or fp64, or pure-Java EJML (fp64, the reference). */
    public enum Arithmetic { FP32, FP64, JAVA }

    /** The spectra, the matrices they came from (for plots) and the seconds the analysis took. */
    public record Result(List<LayerSpectrum> spectra, List<SpectralAnalyzer.Matrix> matrices, double seconds, EigenSolver solver) {}

    private Analyze() {}

    /** Analyses {@code model} (a catalog name or a model directory); embeddings only when asked. */
    public static Result run(String model, boolean embeddings, Arithmetic arithmetic, SpectralAnalyzer.Options options) {
        EigenSolver solver = switch (arithmetic) {
            case FP32 -> new TorchEigenSolver(false);
            case FP64 -> new TorchEigenSolver(true);
            case JAVA -> new EjmlEigenSolver();
        };
        var matrices = WeightMatrices.fromArrays(Pretrained.readWeightArrays(model), embeddings);
        var analyzer = new SpectralAnalyzer(solver, options.withThreads(Engine.threads()));
        analyzer.analyze(matrices.subList(0, 1)); // warm up the native libraries outside the timing
        long start = System.nanoTime();
        List<LayerSpectrum> spectra = analyzer.analyze(matrices);
        return new Result(spectra, matrices, (System.nanoTime() - start) / 1e9, solver);
    }
}
