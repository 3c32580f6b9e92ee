package dev.attune.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/**
 * A native tensor behind a small, PyTorch-shaped API: the only tensor type the rest of attune sees.
 * Methods return new tensors (no in-place mutation unless the name ends with an underscore).
 * Lifetimes follow the enclosing {@link Scope}; tensors created outside any scope live until collected.
 */
public final class Tensor {
    public enum DType { FLOAT32, BFLOAT16, INT64, OTHER }

    private final org.bytedeco.pytorch.Tensor t;

    Tensor(org.bytedeco.pytorch.Tensor t) {
        this.t = t;
    }

    org.bytedeco.pytorch.Tensor handle() {
        return t;
    }

    // ---- factories ------------------------------------------------------------------------------------------

    /** A float32 tensor holding a copy of {@code data} in row-major order. */
    public static Tensor fromFloats(float[] data, long... shape) {
        Engine.init();
        checkSize(data.length, shape);
        var out = torch.empty(shape, new TensorOptions(torch.ScalarType.Float), null);
        if (data.length > 0) {
            try (var p = new FloatPointer(out.data_ptr_float())) {
                p.put(data, 0, data.length);
            }
        }
        return new Tensor(out);
    }

    /** An int64 tensor holding a copy of {@code data} in row-major order. */
    public static Tensor fromLongs(long[] data, long... shape) {
        Engine.init();
        checkSize(data.length, shape);
        var out = torch.empty(shape, new TensorOptions(torch.ScalarType.Long), null);
        if (data.length > 0) {
            try (var p = new LongPointer(out.data_ptr_long())) {
                p.put(data, 0, data.length);
            }
        }
        return new Tensor(out);
    }

    public static Tensor zeros(long... shape) {
        Engine.init();
        return new Tensor(torch.zeros(shape, new TensorOptions(torch.ScalarType.Float)));
    }

    private static void checkSize(int length, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + length);
        }
    }

    // ---- inspection and copies out ----------------------------------------------------------------------------

    public long[] shape() {
        return t.sizes().vec().get();
    }

    public long size(int dim) {
        return t.size(dim);
    }

    public long numel() {
        return t.numel();
    }

    public DType dtype() {
        var s = t.scalar_type().intern(); // native enums must be interned before comparing
        if (s == torch.ScalarType.Float) return DType.FLOAT32;
        if (s == torch.ScalarType.BFloat16) return DType.BFLOAT16;
        if (s == torch.ScalarType.Long) return DType.INT64;
        return DType.OTHER;
    }

    /** A copy of the values as float32, row-major. */
    public float[] toFloats() {
        var c = t.to(torch.ScalarType.Float).contiguous();
        float[] out = new float[(int) c.numel()];
        if (out.length > 0) {
            try (var p = new FloatPointer(c.data_ptr_float())) {
                p.get(out);
            }
        }
        return out;
    }

    /**
     * The values as float32, row-major: a view of the tensor's own memory when it is a contiguous fp32 tensor (no
     * copy; valid only while the tensor lives and is not written), a copy otherwise.
     */
    public java.nio.FloatBuffer floats() {
        if (dtype() != DType.FLOAT32 || !t.is_contiguous() || numel() == 0) return java.nio.FloatBuffer.wrap(toFloats());
        return new FloatPointer(t.data_ptr_float()).capacity(numel()).asBuffer();
    }

    public long[] toLongs() {
        var c = t.to(torch.ScalarType.Long).contiguous();
        long[] out = new long[(int) c.numel()];
        if (out.length > 0) {
            try (var p = new LongPointer(c.data_ptr_long())) {
                p.get(out);
            }
        }
        return out;
    }

    public float item() {
        return t.item_float();
    }

    // ---- shape ---------------------------------------------------------------------------------------------

    public Tensor reshape(long... shape) {
        return new Tensor(t.reshape(shape));
    }

    public Tensor transpose(long a, long b) {
        return new Tensor(t.transpose(a, b));
    }

    public Tensor permute(long... dims) {
        return new Tensor(t.permute(dims));
    }

    public Tensor contiguous() {
        return new Tensor(t.contiguous());
    }

    public Tensor unsqueeze(long dim) {
        return new Tensor(t.unsqueeze(dim));
    }

    public Tensor select(long dim, long index) {
        return new Tensor(t.select(dim, index));
    }

    public Tensor narrow(long dim, long start, long length) {
        return new Tensor(t.narrow(dim, start, length));
    }

    // ---- arithmetic ----------------------------------------------------------------------------------------

    public Tensor add(Tensor o) {
        return new Tensor(t.add(o.t));
    }

    public Tensor sub(Tensor o) {
        return new Tensor(t.sub(o.t));
    }

    public Tensor mul(Tensor o) {
        return new Tensor(t.mul(o.t));
    }

    public Tensor div(Tensor o) {
        return new Tensor(t.div(o.t));
    }

    public Tensor mul(double s) {
        return new Tensor(t.mul(new Scalar(s)));
    }

    public Tensor add(double s) {
        return new Tensor(t.add(new Scalar(s)));
    }

    public Tensor matmul(Tensor o) {
        return new Tensor(t.matmul(o.t));
    }

    /**
     * x @ weightᵀ + bias, weight in Hugging Face's [out, in] layout. A bf16 input of more than two dimensions is
     * flattened to rows first: libtorch then adds the bias inside oneDNN's matmul instead of in a separate pass
     * (minilm-l6's feed-forward expansion at 32 × 128: 6.5 ms instead of 8.7), and rounds once. fp32 keeps libtorch's
     * own path, so its results stay bit for bit.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        long[] shape = shape();
        if (bias == null || shape.length <= 2 || dtype() != DType.BFLOAT16) {
            return new Tensor(bias == null ? torch.linear(t, weight.t) : torch.linear(t, weight.t, bias.t));
        }
        long[] out = shape.clone();
        out[out.length - 1] = weight.size(0);
        return new Tensor(torch.linear(t.reshape(-1, shape[shape.length - 1]), weight.t, bias.t).view(out));
    }

    public Tensor sum(long dim, boolean keepDim) {
        return new Tensor(t.sum(new long[] {dim}, keepDim, new ScalarTypeOptional()));
    }

    public Tensor sum() {
        return new Tensor(t.sum());
    }

    public Tensor mean() {
        return new Tensor(t.mean());
    }

    public Tensor clampMin(double min) {
        return new Tensor(torch.clamp_min(t, new Scalar(min)));
    }

    /** L2 norm along {@code dim}, kept as a size-1 dimension. */
    public Tensor norm(long dim) {
        return new Tensor(torch.linalg_vector_norm(t, new Scalar(2.0), new long[] {dim}, true, new ScalarTypeOptional()));
    }

    // ---- neural-network functions ------------------------------------------------------------------------

    /** Rows of this weight matrix [V, H] selected by integer ids of any shape: result ids.shape + [H]. */
    public Tensor embedding(Tensor ids) {
        return new Tensor(torch.embedding(t, ids.t));
    }

    public Tensor layerNorm(Tensor weight, Tensor bias, double eps) {
        long[] normalized = {t.size(-1)};
        return new Tensor(torch.layer_norm(t, normalized, new TensorOptional(weight.t), new TensorOptional(bias.t), eps, true));
    }

    /** Exact (erf) GELU, as BERT uses. */
    public Tensor gelu() {
        return new Tensor(torch.gelu(t, "none"));
    }

    public Tensor tanh() {
        return new Tensor(torch.tanh(t));
    }

    public Tensor relu() {
        return new Tensor(torch.relu(t));
    }

    public Tensor softmax(long dim) {
        return new Tensor(torch.softmax(t, dim));
    }

    /**
     * softmax(q kᵀ · scale + keyBias) v for heads (B, nh, T, hs), through libtorch's fused kernel (CPU flash
     * attention: the (T, T) scores are never materialized) where it is the faster here for this dtype
     * ({@link FusedAttention}), else as three steps. {@code keyBias} is the additive key mask (B, 1, 1, T), in this
     * tensor's dtype outside autocast: 0 for a key to attend to, the most negative value for padding; null when every
     * key counts.
     */
    public Tensor attention(Tensor k, Tensor v, Tensor keyBias, double scale) {
        return FusedAttention.pays(dtype()) ? fusedAttention(k, v, keyBias, scale) : plainAttention(k, v, keyBias, scale);
    }

    Tensor fusedAttention(Tensor k, Tensor v, Tensor keyBias, double scale) {
        var keep = keyBias == null ? new TensorOptional() : new TensorOptional(torch.eq(keyBias.t, new Scalar(0.0)));
        return new Tensor(torch.scaled_dot_product_attention(t, k.t, v.t, keep, 0.0, false,
                new org.bytedeco.pytorch.DoubleOptional(scale), false));
    }

    Tensor plainAttention(Tensor k, Tensor v, Tensor keyBias, double scale) {
        return attentionProbabilities(k, keyBias, scale).matmul(v);
    }

    /**
     * softmax(q kᵀ · scale + keyBias) for heads (B, nh, T, hs): the (B, nh, T, T) attention probabilities, for a
     * caller that applies dropout to them before the weighted sum. {@code keyBias} as for {@link #attention}.
     */
    public Tensor attentionProbabilities(Tensor k, Tensor keyBias, double scale) {
        Tensor scores = matmul(k.transpose(2, 3));
        if (scale != 1.0) scores = scores.mul(scale);
        if (keyBias != null) scores = scores.add(keyBias);
        return scores.softmax(-1);
    }

    /** Softmax computed in float32 whatever the input's dtype. */
    public Tensor softmaxFloat(long dim) {
        return new Tensor(torch.softmax(t, dim, new ScalarTypeOptional(torch.ScalarType.Float)));
    }

    public Tensor logSoftmax(long dim) {
        return new Tensor(torch.log_softmax(t, dim));
    }

    public Tensor toFloat32() {
        return new Tensor(t.to(torch.ScalarType.Float));
    }

    public Tensor toBf16() {
        return new Tensor(t.to(torch.ScalarType.BFloat16));
    }

    // ---- autograd ----------------------------------------------------------------------------------------------

    /** Marks a leaf tensor as trainable (or not); returns this tensor. */
    public Tensor requiresGrad(boolean on) {
        t.set_requires_grad(on);
        return this;
    }

    public boolean requiresGrad() {
        return t.requires_grad();
    }

    /** The accumulated gradient, or null when none has been computed. */
    public Tensor grad() {
        var g = t.grad();
        return g == null || !g.defined() ? null : new Tensor(g);
    }

    public void backward() {
        t.backward();
    }

    /** Backpropagates {@code gradient} (this tensor's shape) from this tensor, as torch's {@code backward(gradient)}. */
    public void backward(Tensor gradient) {
        if (!Arrays.equals(shape(), gradient.shape())) {
            throw new IllegalArgumentException("gradient " + Arrays.toString(gradient.shape()) + " for a tensor of shape " + Arrays.toString(shape()));
        }
        t.backward(gradient.t, new org.bytedeco.pytorch.BoolOptional(), false, new org.bytedeco.pytorch.TensorArrayRefOptional());
    }

    /** Same values, cut from the autograd graph. */
    public Tensor detach() {
        return new Tensor(t.detach());
    }

    /** Overwrites this tensor's values with {@code src}'s (same shape), outside autograd. */
    public void copyFrom(Tensor src) {
        try (var g = new org.bytedeco.pytorch.NoGradGuard()) {
            t.copy_(src.t);
        }
    }

    /**
     * Class-weighted cross-entropy of logits (B, C): Σ w[yᵢ] · (−log softmax(xᵢ)[yᵢ]) / Σ w[yᵢ], as PyTorch's
     * {@code cross_entropy(weight=w)} with mean reduction.
     */
    public Tensor crossEntropy(long[] labels, float[] classWeights) {
        int b = labels.length, c = classWeights.length;
        if (size(0) != b || size(1) != c) throw new IllegalArgumentException("logits " + java.util.Arrays.toString(shape()) + " for " + b + " labels of " + c + " classes");
        double total = 0;
        for (long y : labels) total += classWeights[(int) y];
        float[] w = new float[b * c];
        for (int i = 0; i < b; i++) w[i * c + (int) labels[i]] = (float) (classWeights[(int) labels[i]] / total);
        return toFloat32().logSoftmax(1).mul(fromFloats(w, b, c)).sum().mul(-1.0);
    }

    /** Mean cross-entropy of logits (B, C) against integer class labels (B). */
    public Tensor crossEntropy(Tensor labels) {
        return new Tensor(torch.cross_entropy(t.to(torch.ScalarType.Float), labels.t));
    }

    /**
     * Inverted dropout with a keep-mask drawn in Java from {@code masks} (on all cores; libtorch's CPU Bernoulli
     * sampler runs on one thread and costs a tenth of a training step here). Each element is dropped when a 16-bit
     * uniform draw falls below round(p · 65536), so the rate is p to within 1/65536. The mask is a tensor libtorch
     * owns, so it outlives any {@link Scope}, and is written in pieces straight into it. An fp32 input is multiplied
     * once by a mask holding 0 or 1/(1 − p) (the values and gradients of multiplying by the keep-mask and then by
     * 1/(1 − p), bit for bit, in one pass instead of two, forward and backward); a bf16 one by its 0/1 mask
     * ({@link #keep}) and then by the scale, which rounds once.
     */
    public Tensor dropout(double p, MaskStream masks) {
        if (p <= 0) return this;
        if (dtype() != DType.FLOAT32) return keep(p, masks).mul(1.0 / (1.0 - p));
        return new Tensor(t.mul(floatMask(p, masks, (float) (1.0 / (1.0 - p)))));
    }

    /**
     * The elements {@link #dropout}'s mask keeps, 0 for the others, not scaled by 1/(1 − p) (for a caller that
     * folded the scale into weights): one vectorized multiply by a 0/1 mask of this tensor's dtype, forward and
     * backward (libtorch's {@code where} is not vectorized, and a boolean mask is converted on every use).
     */
    public Tensor keep(double p, MaskStream masks) {
        if (p <= 0) return this;
        if (dtype() == DType.FLOAT32) return new Tensor(t.mul(floatMask(p, masks, 1f)));
        if (dtype() != DType.BFLOAT16) throw new IllegalArgumentException("dropout on a " + dtype() + " tensor");
        int n = maskSize();
        var mask = torch.empty(t.sizes().vec().get(), new TensorOptions(torch.ScalarType.BFloat16), null);
        masks.keepMaskBf16(n, threshold(p), Engine.threads(), new org.bytedeco.javacpp.BytePointer(mask.data_ptr()).capacity(2L * n).asByteBuffer());
        return new Tensor(t.mul(mask));
    }

    /** An fp32 mask of this tensor's shape: {@code kept} where the mask keeps an element, 0 elsewhere. */
    private org.bytedeco.pytorch.Tensor floatMask(double p, MaskStream masks, float kept) {
        var mask = torch.empty(t.sizes().vec().get(), new TensorOptions(torch.ScalarType.Float), null);
        masks.keepMask(maskSize(), threshold(p), Engine.threads(), (offset, keep, length) -> {
            float[] values = new float[length];
            for (int i = 0; i < length; i++) values[i] = keep[i] != 0 ? kept : 0f;
            try (var dst = new FloatPointer(mask.data_ptr_float())) {
                dst.position(offset).put(values, 0, length);
            }
        });
        return mask;
    }

    /** Elements whose 16-bit draw falls below this are dropped. */
    private static int threshold(double p) {
        return (int) Math.round(p * 65536);
    }

    private int maskSize() {
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large for a dropout mask: " + n);
        return (int) n;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape()) + " " + dtype();
    }
}
