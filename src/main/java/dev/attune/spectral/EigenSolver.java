package dev.attune.spectral;

/**
 * Eigenvalues of the Gram matrix WᵀW of a weight matrix W (rows × cols, row-major), computed on the smaller side
 * (WWᵀ when rows < cols: the non-zero eigenvalues are the same), so there are min(rows, cols) of them: the squared
 * singular values of W, without normalisation. Ascending.
 */
public interface EigenSolver {
    double[] gramEigenvalues(float[] w, int rows, int cols);
}
