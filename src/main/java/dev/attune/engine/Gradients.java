package dev.attune.engine;

import org.bytedeco.pytorch.NoGradGuard;

/** Switches autograd off for a try-with-resources block (evaluation, prediction). */
public final class Gradients implements AutoCloseable {
    private final NoGradGuard guard;

    private Gradients() {
        Engine.init();
        guard = new NoGradGuard();
    }

    public static Gradients off() {
        return new Gradients();
    }

    @Override
    public void close() {
        guard.close(); // runs the guard's destructor, which restores the previous mode
    }
}
