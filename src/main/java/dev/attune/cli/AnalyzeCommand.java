package dev.attune.cli;

import dev.attune.Analyze;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attune.AttuneException;
import dev.attune.model.ModelCatalog;
import dev.attune.report.SpectraPlot;
import dev.attune.spectral.LayerSpectrum;
import dev.attune.spectral.PowerLaw;
import dev.attune.spectral.SpectralAnalyzer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Measure every weight matrix's eigenvalue spectrum and its power-law exponent alpha (HT-SR).")
final class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = ModelCatalog.DEFAULT, description = "Catalog name or model directory, fine-tuned ones too (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--estimator", defaultValue = "xmin_mid", description = "xmin_mid, ks or xmin_peak (default: ${DEFAULT-VALUE}).")
    String estimator;

    @Option(names = "--json", description = "JSONL, one object per matrix, instead of a table.")
    boolean json;

    @Option(names = "--embeddings", description = "Include the word and position embedding matrices.")
    boolean embeddings;

    @Option(names = "--plot", description = "PNG to write (default: <model>-spectra.png in the current directory; 'none' to skip).")
    String plot;

    @Option(names = "--esd", description = "Matrix whose spectral density the plot shows (default: the first analysed).")
    String esdMatrix;

    @Option(names = "--threshold", defaultValue = "1e-5", description = "Eigenvalues at or below this are dropped (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--min-eigenvalues", defaultValue = "50", description = "Matrices with fewer are skipped (default: ${DEFAULT-VALUE}).")
    int minEigenvalues;

    @Option(names = "--precision", defaultValue = "fp32", description = "Eigenvalue arithmetic: fp32 (fast), fp64 (exact to rounding), java (pure-Java EJML, fp64).")
    String precision;

    @Override
    public Integer call() throws Exception {
        PowerLaw.Estimator est;
        try {
            est = PowerLaw.Estimator.parse(estimator);
        } catch (IllegalArgumentException e) {
            throw new AttuneException("--estimator: " + e.getMessage());
        }
        Analyze.Arithmetic arithmetic = switch (precision) {
            case "fp32" -> Analyze.Arithmetic.FP32;
            case "fp64" -> Analyze.Arithmetic.FP64;
            case "java" -> Analyze.Arithmetic.JAVA;
            default -> throw new AttuneException("--precision must be fp32, fp64 or java");
        };
        var options = SpectralAnalyzer.Options.defaults().withEstimator(est).withThreshold(threshold).withMinEigenvalues(minEigenvalues);
        Analyze.Result result = Analyze.run(model, embeddings, arithmetic, options);
        List<LayerSpectrum> spectra = result.spectra();
        double seconds = result.seconds();
        if (json) {
            ObjectMapper m = new ObjectMapper();
            for (LayerSpectrum s : spectra) System.out.println(m.writeValueAsString(toJson(m, s)));
        } else {
            printTable(spectra, seconds, est);
        }
        if (!"none".equals(plot)) {
            String base = Path.of(model).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
            Path png = Path.of(plot != null ? plot : base + "-spectra.png");
            LayerSpectrum chosen = spectra.stream().filter(s -> esdMatrix == null ? s.fitted() : s.name().equals(esdMatrix)).findFirst()
                    .orElseThrow(() -> new AttuneException("--esd: no analysed matrix named '" + esdMatrix + "'"));
            var mat = result.matrices().stream().filter(x -> x.name().equals(chosen.name())).findFirst().orElseThrow();
            SpectraPlot.write(png, model, spectra, chosen, result.solver().gramEigenvalues(mat.data(), mat.rows(), mat.cols()));
            System.err.println("plot: " + png);
        }
        return 0;
    }

    static ObjectNode toJson(ObjectMapper m, LayerSpectrum s) {
        ObjectNode o = m.createObjectNode();
        o.put("name", s.name());
        o.putArray("shape").add(s.rows()).add(s.cols());
        o.put("num_eigenvalues", s.eigenvalues());
        if (s.fitted()) {
            o.put("alpha", s.alpha());
            o.put("xmin", s.xmin());
            o.put("n_tail", s.nTail());
            o.put("D", s.ksDistance());
            o.put("alpha_sigma", s.alphaStandardError());
            o.put("alpha_weighted", s.alphaWeighted());
        } else {
            o.put("skipped", s.skipped());
        }
        o.put("lambda_max", s.lambdaMax());
        o.put("log10_spectral_norm", s.log10SpectralNorm());
        o.put("log10_frobenius_norm", s.log10Frobenius());
        o.put("stable_rank", s.stableRank());
        o.put("mp_softrank", s.mpSoftRank());
        o.put("random_like", s.randomLike());
        return o;
    }

    private void printTable(List<LayerSpectrum> spectra, double seconds, PowerLaw.Estimator est) {
        System.out.printf("%-48s %11s %5s %7s %9s %5s %6s %6s %9s %7s %7s %7s %7s%n", "matrix", "shape", "n", "alpha", "xmin",
                "tail", "D", "sigma", "lam_max", "a_w", "st_rank", "mp_soft", "flag");
        for (LayerSpectrum s : spectra) {
            String shape = s.rows() + "x" + s.cols();
            if (!s.fitted()) {
                System.out.printf("%-48s %11s %5d skipped: %s%n", s.name(), shape, s.eigenvalues(), s.skipped());
                continue;
            }
            System.out.printf("%-48s %11s %5d %7.3f %9.3g %5d %6.3f %6.3f %9.3g %7.3f %7.2f %7.3f %7s%n", s.name(), shape, s.eigenvalues(),
                    s.alpha(), s.xmin(), s.nTail(), s.ksDistance(), s.alphaStandardError(), s.lambdaMax(), s.alphaWeighted(),
                    s.stableRank(), s.mpSoftRank(), s.randomLike() ? "random" : "");
        }
        var sum = SpectralAnalyzer.summarize(spectra);
        System.out.println();
        System.out.printf("%-20s %10s %10s%n", "block", "mean alpha", "std alpha");
        sum.perBlock().forEach((b, ms) -> System.out.printf("%-20s %10.3f %10.3f%n", b, ms[0], ms[1]));
        System.out.printf("model: %d matrices, %d fitted, mean alpha %.3f, std %.3f (%s); analysed in %.3f s%n", sum.matrices(),
                sum.fitted(), sum.meanAlpha(), sum.stdAlpha(), est.key(), seconds);
    }
}
