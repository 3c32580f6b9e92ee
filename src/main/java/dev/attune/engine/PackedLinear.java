package dev.attune.engine;

import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.NumberType;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.OptionalType;
import org.bytedeco.pytorch.Type;

/**
 * An inference-only bf16 linear layer through oneDNN with its weight packed once into oneDNN's own layout and the
 * bias, or the bias and exact GELU, applied in the matmul's epilogue (libtorch's {@code mkldnn::_linear_pointwise}):
 * no pass copying the bias into the output, none for the activation. Null from {@link #pack} where libtorch lacks
 * the operators. Inference only: it runs in libtorch's inference mode and records nothing for autograd.
 */
public final class PackedLinear {
    private static final OperatorHandle LINEAR, REORDER;
    private static final GenericList NO_SCALARS;

    static {
        Engine.init();
        OperatorHandle linear = null, reorder = null;
        GenericList none = null;
        try {
            Dispatcher d = Dispatcher.singleton();
            linear = Scope.pinned(d.findSchemaOrThrow("mkldnn::_linear_pointwise", ""));
            reorder = Scope.pinned(d.findSchemaOrThrow("mkldnn::_reorder_linear_weight", ""));
            none = Scope.pinned(new GenericList(OptionalType.get(new Type.TypePtr(NumberType.getNumberIntTypePtr().get()))));
        } catch (RuntimeException absent) {
            linear = null;
        }
        LINEAR = linear;
        REORDER = reorder;
        NO_SCALARS = none;
    }

    /** Whether the operators exist and run here (oneDNN may have no bf16 kernel for this CPU or ISA limit). */
    private static final boolean WORKS = LINEAR != null && probe();

    private static boolean probe() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.fromFloats(new float[16 * 32], 16, 32).toBf16(), b = Tensor.fromFloats(new float[16], 16).toBf16();
            Tensor x = Tensor.fromFloats(new float[4 * 32], 4, 32).toBf16();
            Tensor y = new PackedLinear(packed(w, 4), b).apply(x, true);
            return y.shape()[1] == 16 && y.dtype() == Tensor.DType.BFLOAT16;
        } catch (RuntimeException unsupported) {
            return false;
        }
    }

    private static Tensor packed(Tensor weight, long rows) {
        return call(REORDER, new IValue(weight.handle()), new IValue(rows));
    }

    /** Runs a tensor-returning operator through the dispatcher, in inference mode: these have no autograd kernel. */
    private static Tensor call(OperatorHandle op, IValue... args) {
        IValueVector stack = new IValueVector();
        for (IValue a : args) stack.push_back(a);
        try (Gradients off = Gradients.inference()) {
            Dispatcher.singleton().callBoxed(op, stack);
        }
        return new Tensor(new org.bytedeco.pytorch.Tensor(stack.get(0).toTensor()));     // its own reference, not the stack's
    }

    private final Tensor weight;      // oneDNN layout
    private final Tensor bias;

    private PackedLinear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** The packed form of a bf16 (out, in) weight and its bias, for inputs of about {@code rows} rows; or null. */
    public static PackedLinear pack(Tensor weight, Tensor bias, long rows) {
        if (!WORKS || weight.dtype() != Tensor.DType.BFLOAT16 || bias == null || bias.dtype() != Tensor.DType.BFLOAT16) return null;
        return new PackedLinear(packed(weight, rows), bias);
    }

    /** x Wᵀ + b, then GELU when asked, on a bf16 input (…, in). */
    public Tensor apply(Tensor x, boolean gelu) {
        // attribute "gelu" with algorithm "none" is the exact (erf) GELU, as Hugging Face's BERT uses
        return call(LINEAR, new IValue(x.handle()), new IValue(weight.handle()), new IValue(bias.handle()),
                new IValue(gelu ? "gelu" : "none"), new IValue(NO_SCALARS), new IValue(gelu ? "none" : ""));
    }
}
