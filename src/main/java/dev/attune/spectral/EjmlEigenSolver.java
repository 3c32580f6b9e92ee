package dev.attune.spectral;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.util.Arrays;

/** The pure-Java reference: Gram matrix and symmetric eigenvalues in double precision with EJML. */
public final class EjmlEigenSolver implements EigenSolver {
    @Override
    public double[] gramEigenvalues(float[] w, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < w.length; i++) m.data[i] = w[i];
        int n = Math.min(rows, cols);
        DMatrixRMaj gram = new DMatrixRMaj(n, n);
        if (rows >= cols) CommonOps_DDRM.multTransA(m, m, gram);   // WᵀW (cols × cols)
        else CommonOps_DDRM.multTransB(m, m, gram);                 // WWᵀ (rows × rows)
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(gram)) throw new IllegalStateException("eigen decomposition did not converge");
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = eig.getEigenvalue(i).getReal();
        Arrays.sort(out);
        return out;
    }
}
