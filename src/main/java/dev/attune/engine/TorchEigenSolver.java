package dev.attune.engine;

import dev.attune.spectral.EigenSolver;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Gram eigenvalues through libtorch in double precision: the Gram matrix by BLAS, the symmetric eigenvalues by
 * LAPACK. Many times faster than the pure-Java reference on the matrices of a transformer, with the same results to
 * rounding (a test compares them).
 */
public final class TorchEigenSolver implements EigenSolver {
    private final boolean doublePrecision;

    /** @param doublePrecision Gram matrix and eigenvalues in float64 (exact to rounding) or float32 (about twice as fast) */
    public TorchEigenSolver(boolean doublePrecision) {
        this.doublePrecision = doublePrecision;
    }

    public TorchEigenSolver() {
        this(true);
    }

    @Override
    public double[] gramEigenvalues(float[] w, int rows, int cols) {
        Engine.init();
        int previous = Blas.setThreadsForThisThread(1); // callers run one matrix per core side by side
        try (Scope scope = Scope.open(); Gradients off = Gradients.off()) {
            var m = Tensor.fromFloats(w, rows, cols).handle();                               // (rows, cols)
            if (doublePrecision) m = m.to(torch.ScalarType.Double);
            var gram = rows >= cols ? m.t().matmul(m) : m.matmul(m.t());                     // (n, n)
            var ev = torch.linalg_eigvalsh(gram).to(torch.ScalarType.Double).contiguous();   // ascending
            double[] out = new double[(int) ev.numel()];
            try (var p = new DoublePointer(ev.data_ptr_double())) {
                p.get(out);
            }
            return out;
        } finally {
            if (previous > 0) Blas.setThreadsForThisThread(previous);
        }
    }
}
