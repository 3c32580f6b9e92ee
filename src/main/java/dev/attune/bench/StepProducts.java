package dev.attune.bench;

import dev.attune.engine.Engine;
import dev.attune.engine.Gradients;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.BertConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The matrix products of an encoder's forward pass or training step at a batch shape, listed and timed on their own:
 * the time a step would take if everything between the products (dropout, softmax, GELU, LayerNorm, residual adds,
 * layout copies, the update) were free. Its ratio to the measured step says how much of the step is left to gain
 * outside the products, and a reference implementation's step divided by it bounds the speed-up any change outside
 * them can reach with these kernels on this CPU.
 */
public final class StepProducts {
    /**
     * {@code count} products of {@code batch} (m × k) · (k × n) matrices; an operand marked transposed is a transposed
     * view of a contiguous matrix, as autograd hands it to the product (xᵀ in a weight's gradient, kᵀ in the scores).
     */
    public record Product(String name, long count, long batch, long m, long k, long n, boolean leftTransposed, boolean rightTransposed) {
        public double flops() {
            return 2.0 * count * batch * m * k * n;
        }
    }

    /** Seconds of all products (each shape timed alone, times its count) and their floating-point operations. */
    public record Timing(double seconds, double flops) {
        public double gflops() {
            return flops / seconds / 1e9;
        }
    }

    private StepProducts() {}

    /**
     * The forward pass's products: per layer the query, key, value and output projections, the feed-forward's
     * expansion and contraction over all B·T rows, and the attention's scores (q · kᵀ) and weighted sum (p · v) per
     * sequence and head. The embeddings and the classification head have no product of this size.
     */
    public static List<Product> forward(BertConfig c, int batchSize, int seqLen) {
        long rows = (long) batchSize * seqLen, heads = (long) batchSize * c.numAttentionHeads(), d = c.headSize();
        List<Product> all = new ArrayList<>();
        for (Linear l : linears(c)) all.add(new Product(l.name(), l.count(), 1, rows, l.in(), l.out(), false, true));
        all.add(new Product("attention scores", c.numHiddenLayers(), heads, seqLen, d, seqLen, false, true));
        all.add(new Product("attention sum", c.numHiddenLayers(), heads, seqLen, seqLen, d, false, false));
        return all;
    }

    /**
     * A training step's products: the forward pass's, and in backward for each linear layer the input's gradient
     * (dy · w) and the weight's (dyᵀ · x), for the attention the gradients of the probabilities (dout · vᵀ), the
     * values (pᵀ · dout), the queries (ds · k) and the keys (dsᵀ · q). Every layer's input gradient is counted: the
     * embeddings are trained, so backward goes through the first layer too.
     */
    public static List<Product> trainStep(BertConfig c, int batchSize, int seqLen) {
        long rows = (long) batchSize * seqLen, heads = (long) batchSize * c.numAttentionHeads(), d = c.headSize();
        long layers = c.numHiddenLayers();
        List<Product> all = new ArrayList<>(forward(c, batchSize, seqLen));
        for (Linear l : linears(c)) {
            all.add(new Product(l.name() + " input gradient", l.count(), 1, rows, l.out(), l.in(), false, false));
            all.add(new Product(l.name() + " weight gradient", l.count(), 1, l.out(), rows, l.in(), true, false));
        }
        all.add(new Product("attention probabilities' gradient", layers, heads, seqLen, d, seqLen, false, true));
        all.add(new Product("attention values' gradient", layers, heads, seqLen, seqLen, d, true, false));
        all.add(new Product("attention queries' gradient", layers, heads, seqLen, seqLen, d, false, false));
        all.add(new Product("attention keys' gradient", layers, heads, seqLen, seqLen, d, true, false));
        return all;
    }

    /** The encoder's linear layers by shape: {@code count} of them map {@code in} features to {@code out}. */
    private record Linear(String name, long count, long in, long out) {}

    private static List<Linear> linears(BertConfig c) {
        long h = c.hiddenSize(), f = c.intermediateSize(), layers = c.numHiddenLayers();
        return List.of(new Linear("projection", 4 * layers, h, h), new Linear("feed-forward expansion", layers, h, f),
                new Linear("feed-forward contraction", layers, f, h));
    }

    public static double flops(List<Product> products) {
        return products.stream().mapToDouble(Product::flops).sum();
    }

    /**
     * Times each product alone in {@code bf16} or fp32 (inference mode, operands made once, one warm-up, the best of
     * {@code repeats}) and adds them up by count. A result of the wrong shape is an error, not a time.
     */
    public static Timing time(List<Product> products, boolean bf16, int repeats) {
        Engine.init();
        double seconds = 0;
        SplittableRandom random = new SplittableRandom(7);
        for (Product p : products) {
            try (Gradients off = Gradients.inference(); Scope scope = Scope.open()) {
                Tensor a = operand(p.batch(), p.m(), p.k(), p.leftTransposed(), bf16, random);
                Tensor b = operand(p.batch(), p.k(), p.n(), p.rightTransposed(), bf16, random);
                long[] expected = p.batch() == 1 ? new long[] {p.m(), p.n()} : new long[] {p.batch(), p.m(), p.n()};
                double best = Double.MAX_VALUE;
                for (int i = 0; i <= repeats; i++) {
                    try (Scope each = Scope.open()) {
                        long start = System.nanoTime();
                        Tensor out = a.matmul(b);
                        double s = (System.nanoTime() - start) / 1e9;
                        if (!Arrays.equals(out.shape(), expected)) {
                            throw new IllegalStateException(p.name() + ": product of shape " + Arrays.toString(out.shape())
                                    + ", expected " + Arrays.toString(expected));
                        }
                        if (i > 0) best = Math.min(best, s);
                    }
                }
                seconds += best * p.count();
            }
        }
        return new Timing(seconds, flops(products));
    }

    /** A (batch ×) rows × cols operand of small random values; transposed: a transposed view of cols × rows. */
    private static Tensor operand(long batch, long rows, long cols, boolean transposed, boolean bf16, SplittableRandom random) {
        long outer = transposed ? cols : rows, inner = transposed ? rows : cols;
        float[] values = new float[Math.toIntExact(batch * rows * cols)];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextDouble() - 0.5) * 0.1f;
        Tensor t = batch == 1 ? Tensor.fromFloats(values, outer, inner) : Tensor.fromFloats(values, batch, outer, inner);
        if (bf16) t = t.toBf16();
        int dims = t.shape().length;
        return transposed ? t.transpose(dims - 2, dims - 1) : t;
    }
}
