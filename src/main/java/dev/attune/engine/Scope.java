package dev.attune.engine;

import org.bytedeco.javacpp.PointerScope;

/**
 * A memory scope: every native tensor created inside it is released when it closes, instead of whenever the
 * garbage collector runs. Open one per step or per batch; copy results out to Java arrays before closing.
 */
public final class Scope implements AutoCloseable {
    private final PointerScope scope;

    private Scope() {
        Engine.init();
        this.scope = new PointerScope();
    }

    public static Scope open() {
        return new Scope();
    }

    /** Keeps a tensor alive past this scope (for example a parameter or a cached result). */
    public Tensor keep(Tensor t) {
        scope.detach(t.handle());
        return t;
    }

    @Override
    public void close() {
        scope.close();
    }
}
