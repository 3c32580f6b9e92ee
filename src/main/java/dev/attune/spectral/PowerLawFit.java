package dev.attune.spectral;

/**
 * A power-law fit p(λ) ∝ λ^(−α) to the tail λ ≥ xmin of an eigenvalue spectrum: the exponent, the tail's lower
 * bound and size, the Kolmogorov–Smirnov distance D between the tail's empirical CDF and the fitted one, and the
 * standard error of α, (α − 1)/√n (Clauset, Shalizi and Newman, SIAM Review 51, 2009, eq. 3.2).
 */
public record PowerLawFit(double alpha, double xmin, int nTail, double ksDistance, double alphaStandardError) {}
