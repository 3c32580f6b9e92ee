package dev.attune.engine;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.TensorType;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, PyTorch's update order and default betas 0.9 and 0.999, as Hugging Face's Trainer
 * uses) over named parameter groups, each with its own learning rate and weight decay. Each group's update is one
 * call of libtorch's fused CPU kernel ({@code aten::_fused_adamw_}): one pass over parameter, gradient and both
 * moments per tensor instead of the seven a per-operation update makes (about 3x faster; the update is memory-bound).
 * Changing a group's learning rate keeps the moment estimates; the state is never reset. A parameter gets its state
 * (two fp32 moments and a step count) at its first update with a gradient; parameters without a gradient are
 * skipped. Closing the optimizer frees the moments at once instead of whenever the garbage collector gets to it.
 */
public final class AdamW implements AutoCloseable {
    /** A parameter group: a name (for logs), its tensors, its weight decay. */
    public record Group(String name, List<Tensor> params, double weightDecay) {}

    static final double BETA1 = 0.9, BETA2 = 0.999;
    /** The betas, as saved state records them. */
    public static final String BETAS = BETA1 + "," + BETA2;
    private static final OperatorHandle FUSED;

    static {
        Engine.init();
        FUSED = Scope.pinned(Dispatcher.singleton().findSchemaOrThrow("aten::_fused_adamw_", ""));
    }

    /** One parameter's state: first and second moment estimates, and its update count (an fp32 scalar, as the kernel reads it). */
    private record Moments(org.bytedeco.pytorch.Tensor expAvg, org.bytedeco.pytorch.Tensor expAvgSq, org.bytedeco.pytorch.Tensor step) {
        void close() {
            expAvg.close();
            expAvgSq.close();
            step.close();
        }
    }

    private final List<Group> groups;
    private final List<Tensor> params = new ArrayList<>();             // every parameter, group by group
    private final int[] groupOf;
    private final double[] rates;
    private final double eps;
    private final Moments[] state;

    public AdamW(List<Group> groups, double learningRate, double eps) {
        Engine.init();
        if (groups.isEmpty()) throw new IllegalArgumentException("no parameter groups to optimize");
        this.groups = List.copyOf(groups);
        this.eps = eps;
        rates = new double[groups.size()];
        java.util.Arrays.fill(rates, learningRate);
        List<Integer> owner = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            for (Tensor t : groups.get(g).params()) {
                if (t.dtype() != Tensor.DType.FLOAT32) throw new IllegalArgumentException("AdamW needs fp32 parameters, group " + groups.get(g).name() + " has " + t.dtype());
                params.add(t);
                owner.add(g);
            }
        }
        groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
        state = new Moments[params.size()];
    }

    /** Every optimized tensor, group by group. */
    public List<Tensor> parameters() {
        return List.copyOf(params);
    }

    public List<Group> groups() {
        return groups;
    }

    public void setLearningRate(int group, double lr) {
        rates[group] = lr;
    }

    public double learningRate(int group) {
        return rates[group];
    }

    /** Drops every gradient (the next backward pass allocates them afresh, as libtorch's zero_grad(true) does). */
    public void zeroGrad() {
        for (Tensor p : params) p.handle().mutable_grad().reset();
        gradientDivisor = 1;
    }

    /**
     * Clips the global L2 norm of the gradients to {@code maxNorm} (as PyTorch's {@code clip_grad_norm_}: a norm
     * above it scales every gradient by maxNorm / (norm + 1e-6)); returns the norm before clipping. The scaling is
     * applied by the next {@link #step} as it reads the gradients (the fused kernel's gradient scale), which saves a
     * pass over all of them; the gradients themselves are left as they are. {@link #zeroGrad} drops it.
     */
    public double clipGradNorm(double maxNorm) {
        double norm;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            TensorVector norms = new TensorVector();
            for (Tensor p : params) {
                var g = p.handle().grad();
                if (g.defined()) norms.push_back(torch.linalg_vector_norm(g));
            }
            if (norms.empty()) return 0;
            norm = torch.linalg_vector_norm(torch.stack(norms)).item_double();
        }
        double coefficient = maxNorm / (norm + 1e-6);
        gradientDivisor = coefficient < 1 ? 1 / coefficient : 1;
        return norm;
    }

    /** What the next step divides the gradients by: 1, or the clipping's (norm + 1e-6) / maxNorm. */
    private double gradientDivisor = 1;

    /** One update of every parameter that has a gradient (clipped when {@link #clipGradNorm} asked for it). */
    public void step() {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            IValue divisor = gradientDivisor == 1 ? new IValue()
                    : new IValue(torch.scalar_tensor(new org.bytedeco.pytorch.Scalar(gradientDivisor), new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float)));
            for (int g = 0; g < groups.size(); g++) {
                List<org.bytedeco.pytorch.Tensor> p = new ArrayList<>(), grads = new ArrayList<>(), m = new ArrayList<>(),
                        v = new ArrayList<>(), steps = new ArrayList<>();
                for (int i = 0; i < params.size(); i++) {
                    if (groupOf[i] != g) continue;
                    var param = params.get(i).handle();
                    var grad = param.grad();
                    if (!grad.defined()) continue;
                    if (state[i] == null) state[i] = zeroState(param);
                    state[i].step().add_(new org.bytedeco.pytorch.Scalar(1.0));
                    p.add(param);
                    grads.add(grad.is_contiguous() ? grad : grad.contiguous());
                    m.add(state[i].expAvg());
                    v.add(state[i].expAvgSq());
                    steps.add(state[i].step());
                }
                if (p.isEmpty()) continue;
                IValueVector stack = new IValueVector();
                for (var list : List.of(p, grads, m, v, List.<org.bytedeco.pytorch.Tensor>of(), steps)) stack.push_back(new IValue(tensorList(list)));
                for (double x : new double[] {rates[g], BETA1, BETA2, groups.get(g).weightDecay(), eps}) stack.push_back(new IValue(x));
                stack.push_back(new IValue(false));                            // amsgrad
                stack.push_back(new IValue(false));                            // maximize
                stack.push_back(divisor);                                      // grad_scale: the gradients are divided by it
                stack.push_back(new IValue());                                 // found_inf
                Dispatcher.singleton().callBoxed(FUSED, stack);
            }
        }
        gradientDivisor = 1;
    }

    /** Fresh state for {@code param}, owned by this optimizer (until {@link Moments#close}) rather than the scope it was made in. */
    private static Moments zeroState(org.bytedeco.pytorch.Tensor param) {
        return new Moments(Scope.pinned(torch.zeros_like(param)), Scope.pinned(torch.zeros_like(param)),
                Scope.pinned(torch.scalar_tensor(new org.bytedeco.pytorch.Scalar(0.0), new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float))));
    }

    private static GenericList tensorList(List<org.bytedeco.pytorch.Tensor> tensors) {
        GenericList list = new GenericList(new Type.TypePtr(TensorType.get()));
        for (var t : tensors) list.push_back(new IValue(t));
        return list;
    }

    /**
     * The state to save, by name: {@code state.I.exp_avg}, {@code state.I.exp_avg_sq} and {@code state.I.step} for
     * the I-th parameter (group by group, as PyTorch numbers an optimizer's state) that has been updated. The tensors
     * are the live state: copy them out before the next {@link #step}.
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < state.length; i++) {
            if (state[i] == null) continue;
            out.put("state." + i + ".exp_avg", new Tensor(state[i].expAvg()));
            out.put("state." + i + ".exp_avg_sq", new Tensor(state[i].expAvgSq()));
            out.put("state." + i + ".step", new Tensor(state[i].step()));
        }
        return out;
    }

    /** Receives saved state tensors one at a time ({@link #restore}). */
    public interface StateSink {
        void put(String name, long[] shape, float[] values);
    }

    /**
     * Replaces the whole state with saved values that {@code source} hands over one tensor at a time (so only one is
     * held in Java at once), under {@link #state}'s names; every parameter missing from them starts afresh. Throws
     * IllegalArgumentException naming the first tensor that is unknown, has the wrong shape, or lacks one of its
     * three parts; the state is then left as it was.
     */
    public void restore(java.util.function.Consumer<StateSink> source) {
        Moments[] fresh = new Moments[state.length];
        int[] parts = new int[state.length];                                   // bit k: part k of {exp_avg, exp_avg_sq, step} seen
        List<String> names = List.of("exp_avg", "exp_avg_sq", "step");
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            source.accept((name, shape, values) -> {
                String[] key = name.split("\\.");
                int i = key.length == 3 && key[0].equals("state") && key[1].matches("\\d{1,9}") ? Integer.parseInt(key[1]) : -1;
                int part = key.length == 3 ? names.indexOf(key[2]) : -1;
                if (i < 0 || i >= state.length || part < 0) {
                    throw new IllegalArgumentException("unexpected tensor " + name + " (the optimizer has " + state.length + " parameters)");
                }
                var param = params.get(i).handle();
                long[] expected = part == 2 ? new long[0] : params.get(i).shape();
                if (!java.util.Arrays.equals(shape, expected)) {
                    throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(shape) + ", expected " + java.util.Arrays.toString(expected));
                }
                if (fresh[i] == null) fresh[i] = zeroState(param);
                var into = part == 0 ? fresh[i].expAvg() : part == 1 ? fresh[i].expAvgSq() : fresh[i].step();
                try (var dst = new org.bytedeco.javacpp.FloatPointer(into.data_ptr_float())) {
                    dst.put(values, 0, values.length);
                }
                parts[i] |= 1 << part;
            });
            for (int i = 0; i < state.length; i++) {
                if (fresh[i] == null || parts[i] == 7) continue;
                for (int k = 0; k < 3; k++) if ((parts[i] & 1 << k) == 0) throw new IllegalArgumentException("missing tensor state." + i + "." + names.get(k));
            }
        } catch (RuntimeException e) {
            for (Moments m : fresh) if (m != null) m.close();
            throw e;
        }
        for (int i = 0; i < state.length; i++) {
            if (state[i] != null) state[i].close();
            state[i] = fresh[i];
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < state.length; i++) {
            if (state[i] != null) state[i].close();
            state[i] = null;
        }
    }
}
