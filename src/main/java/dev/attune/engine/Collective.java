package dev.attune.engine;

import java.util.List;

/**
 * The collective operations data-parallel training needs, over the processes of one run (ranks 0 to world size − 1).
 * {@link #SINGLE} is the one-process case, where every operation is the identity and costs nothing; {@link
 * GlooCollective} runs them on libtorch's c10d Gloo backend. Every rank must call the same operations in the same
 * order, as with torch.distributed.
 */
public interface Collective extends AutoCloseable {
    Collective SINGLE = new Collective() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int worldSize() {
            return 1;
        }

        @Override
        public void sumGradients(List<Tensor> parameters, double scale) {
            if (scale == 1) return;
            for (Tensor p : parameters) {
                Tensor g = p.grad();
                if (g != null) g.copyFrom(g.mul(scale));
            }
        }

        @Override
        public void broadcast(List<Tensor> tensors) {}

        @Override
        public double[] sum(double[] values) {
            return values.clone();
        }

        @Override
        public double[] broadcast(double[] values) {
            return values.clone();
        }

        @Override
        public Traffic traffic() {
            return new Traffic(0, 0, 0);
        }

        @Override
        public void close() {}
    };

    /** Collective calls made, bytes all-reduced and seconds spent in them, since this process joined. */
    record Traffic(long calls, long bytesAllReduced, double seconds) {}

    int rank();

    int worldSize();

    default boolean isRoot() {
        return rank() == 0;
    }

    /**
     * Replaces each parameter's gradient by the sum over ranks of {@code scale} times it (parameters without a
     * gradient are skipped, the same on every rank), in buckets: the gradient averaging of DistributedDataParallel.
     */
    void sumGradients(List<Tensor> parameters, double scale);

    /** Overwrites every rank's tensors with rank 0's (same shapes on every rank), in place. */
    void broadcast(List<Tensor> tensors);

    /** The element-wise sum over ranks. */
    double[] sum(double[] values);

    /** Rank 0's values, on every rank. */
    double[] broadcast(double[] values);

    Traffic traffic();

    @Override
    void close();
}
