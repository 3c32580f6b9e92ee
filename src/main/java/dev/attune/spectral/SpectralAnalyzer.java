package dev.attune.spectral;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns named weight matrices into {@link LayerSpectrum} records: eigenvalues of WᵀW from an {@link EigenSolver},
 * those ≤ {@code threshold} dropped, matrices with fewer than {@code minEigenvalues} left skipped, then the power-law
 * fit and the norms. Plain arrays in, records out: no native code here.
 */
public final class SpectralAnalyzer {
    /** A 2-D weight: Hugging Face name, shape and row-major values. */
    public record Matrix(String name, int rows, int cols, float[] data) {}

    /** Settings, with the defaults of TempBalance-style training. */
    public record Options(PowerLaw.Estimator estimator, double threshold, int minEigenvalues, double xminFraction,
                          int histogramBins, int threads) {
        public static Options defaults() {
            return new Options(PowerLaw.Estimator.XMIN_MID, 1e-5, 50, 0.5, 100, 1);
        }

        public Options withEstimator(PowerLaw.Estimator e) {
            return new Options(e, threshold, minEigenvalues, xminFraction, histogramBins, threads);
        }

        public Options withThreshold(double t) {
            return new Options(estimator, t, minEigenvalues, xminFraction, histogramBins, threads);
        }

        public Options withMinEigenvalues(int n) {
            return new Options(estimator, threshold, n, xminFraction, histogramBins, threads);
        }

        public Options withThreads(int t) {
            return new Options(estimator, threshold, minEigenvalues, xminFraction, histogramBins, t);
        }
    }

    private final EigenSolver solver;
    private final Options options;

    public SpectralAnalyzer(EigenSolver solver, Options options) {
        this.solver = solver;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    public List<LayerSpectrum> analyze(List<Matrix> matrices) {
        if (options.threads() <= 1 || matrices.size() < 2) {
            List<LayerSpectrum> out = new ArrayList<>();
            for (Matrix m : matrices) out.add(analyze(m));
            return out;
        }
        ExecutorService pool = pool(options.threads());
        List<Future<LayerSpectrum>> futures = new ArrayList<>();
        try {
            for (Matrix m : matrices) futures.add(pool.submit(() -> analyze(m)));
            List<LayerSpectrum> out = new ArrayList<>();
            for (Future<LayerSpectrum> f : futures) out.add(f.get());
            return out;
        } catch (Exception e) {
            for (Future<LayerSpectrum> f : futures) f.cancel(false);
            throw new IllegalStateException("spectral analysis failed: " + e.getMessage(), e);
        }
    }

    private static final java.util.Map<Integer, ExecutorService> POOLS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One pool of {@code threads} daemon threads for the life of the process, so the threads that call OpenBLAS are
     * always the same few. A demo run that made a new pool per analysis (while the evaluation head's fp32 matmuls also
     * went through OpenBLAS) printed OpenBLAS's "Bad memory unallocation" and crashed inside sgemm; with one pool and
     * the head under autocast the same run finished cleanly. The cause inside OpenBLAS was not isolated.
     */
    private static ExecutorService pool(int threads) {
        return POOLS.computeIfAbsent(threads, n -> Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "attune-spectra");
            t.setDaemon(true);
            return t;
        }));
    }

    public LayerSpectrum analyze(Matrix m) {
        double[] all = solver.gramEigenvalues(m.data(), m.rows(), m.cols());
        return fromEigenvalues(m.name(), m.rows(), m.cols(), all, options);
    }

    /** The record for a matrix whose Gram eigenvalues are known (any order). */
    public static LayerSpectrum fromEigenvalues(String name, int rows, int cols, double[] eigenvalues, Options options) {
        double[] sorted = Arrays.stream(eigenvalues).filter(v -> v > options.threshold()).sorted().toArray();
        double sum = 0;
        for (double v : eigenvalues) if (v > 0) sum += v;
        double lambdaMax = sorted.length == 0 ? 0 : sorted[sorted.length - 1];
        double mpEdge = marchenkoPasturEdge(rows, cols, sum);
        double softRank = lambdaMax == 0 ? Double.NaN : mpEdge / lambdaMax;
        double stableRank = lambdaMax == 0 ? Double.NaN : sum / lambdaMax;
        if (sorted.length < options.minEigenvalues()) {
            return new LayerSpectrum(name, rows, cols, sorted.length, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN,
                    lambdaMax, Math.log10(lambdaMax), Math.log10(sum), Double.NaN, stableRank, softRank, false,
                    "only " + sorted.length + " eigenvalues (minimum " + options.minEigenvalues() + ")");
        }
        PowerLawFit fit = PowerLaw.fit(sorted, options.estimator(), options.xminFraction(), options.histogramBins());
        boolean randomLike = fit.alpha() > 6 || softRank >= 0.95;
        return new LayerSpectrum(name, rows, cols, sorted.length, fit.alpha(), fit.xmin(), fit.nTail(), fit.ksDistance(),
                fit.alphaStandardError(), lambdaMax, Math.log10(lambdaMax), Math.log10(sum),
                fit.alpha() * Math.log10(lambdaMax), stableRank, softRank, randomLike, null);
    }

    /**
     * Upper edge of the Marchenko–Pastur bulk for the eigenvalues of WᵀW when W (rows × cols) has i.i.d. entries of
     * the same variance σ² = ‖W‖_F² / (rows · cols): σ² (√rows + √cols)².
     */
    public static double marchenkoPasturEdge(int rows, int cols, double frobeniusSquared) {
        double variance = frobeniusSquared / ((double) rows * cols);
        double s = Math.sqrt(rows) + Math.sqrt(cols);
        return variance * s * s;
    }

    /** Mean and standard deviation of α over fitted matrices, overall and per block. */
    public record Summary(int matrices, int fitted, double meanAlpha, double stdAlpha, Map<String, double[]> perBlock) {}

    public static Summary summarize(List<LayerSpectrum> spectra) {
        Map<String, List<Double>> byBlock = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>();
        for (LayerSpectrum s : spectra) {
            if (!s.fitted()) continue;
            all.add(s.alpha());
            byBlock.computeIfAbsent(s.block(), k -> new ArrayList<>()).add(s.alpha());
        }
        Map<String, double[]> per = new LinkedHashMap<>();
        byBlock.forEach((b, v) -> per.put(b, meanStd(v)));
        double[] ms = meanStd(all);
        return new Summary(spectra.size(), all.size(), ms[0], ms[1], per);
    }

    /** {mean, population standard deviation} of α over a set of matrices. */
    private static double[] meanStd(List<Double> v) {
        dev.attune.MeanStd m = dev.attune.MeanStd.population(v.stream().mapToDouble(Double::doubleValue).toArray());
        return new double[] {m.mean(), m.std()};
    }
}
