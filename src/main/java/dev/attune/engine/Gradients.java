package dev.attune.engine;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.NoGradGuard;

/** Switches autograd off for a try-with-resources block (evaluation, prediction). */
public final class Gradients implements AutoCloseable {
    private final Pointer guard;

    private Gradients(boolean inference) {
        Engine.init();
        guard = inference ? new InferenceMode() : new NoGradGuard();
    }

    /** No gradients are recorded; tensors made inside may still be used with autograd later. */
    public static Gradients off() {
        return new Gradients(false);
    }

    /**
     * libtorch's inference mode: no autograd bookkeeping at all (no version counters, no views tracked), for passes
     * whose outputs leave the engine as Java arrays. Tensors made inside must never meet autograd afterwards.
     */
    public static Gradients inference() {
        return new Gradients(true);
    }

    @Override
    public void close() {
        guard.close(); // runs the guard's destructor, which restores the previous mode
    }
}
