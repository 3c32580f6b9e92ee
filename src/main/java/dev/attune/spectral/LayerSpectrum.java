package dev.attune.spectral;

/**
 * The spectrum of one weight matrix W (rows × cols) and its power-law fit. Eigenvalues λ are those of WᵀW.
 *
 * @param name              Hugging Face parameter name
 * @param eigenvalues       how many λ passed the threshold
 * @param alpha             power-law exponent of the tail (NaN when skipped)
 * @param lambdaMax         largest eigenvalue (the squared spectral norm)
 * @param log10SpectralNorm log10 λ_max
 * @param log10Frobenius    log10 Σλ (the squared Frobenius norm)
 * @param alphaWeighted     α · log10 λ_max
 * @param stableRank        Σλ / λ_max
 * @param mpSoftRank        Marchenko–Pastur bulk edge for this shape and variance, over λ_max (≈ 1 for noise)
 * @param randomLike        α above 6, or λ_max inside the Marchenko–Pastur bulk: no learned structure
 * @param skipped           why no fit was made (too few eigenvalues), or null
 */
public record LayerSpectrum(String name, int rows, int cols, int eigenvalues, double alpha, double xmin, int nTail,
                            double ksDistance, double alphaStandardError, double lambdaMax, double log10SpectralNorm,
                            double log10Frobenius, double alphaWeighted, double stableRank, double mpSoftRank,
                            boolean randomLike, String skipped) {
    public boolean fitted() {
        return skipped == null;
    }

    /** The layer block a matrix belongs to: {@code encoder.layer.3} for its attention and feed-forward matrices. */
    public String block() {
        return dev.attune.LayerNames.layerOf(name);
    }
}
