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

    /**
     * Computes {@code body} in a scope of its own and hands its result to the enclosing scope, so the body's
     * intermediates are released as soon as it returns instead of when the enclosing step or batch ends. Tensors that
     * autograd saved for the backward pass stay alive in its graph; only the Java handles go.
     */
    public static Tensor inner(java.util.function.Supplier<Tensor> body) {
        PointerScope outer = PointerScope.getInnerScope();
        try (Scope inner = open()) {
            Tensor out = body.get();
            if (outer != null) outer.attach(out.handle());   // held by both until the inner scope lets go
            else release(inner.scope, out);
            return out;
        }
    }

    /**
     * Keeps a native object alive past whatever scope happens to be open when it is made (that scope would free it on
     * closing): an operator handle a class looks up once, or state its owner closes itself.
     */
    static <P extends org.bytedeco.javacpp.Pointer> P pinned(P p) {
        p.retainReference();
        return p;
    }

    /** Keeps a tensor alive past this scope (for example a parameter or a cached result). */
    public Tensor keep(Tensor t) {
        release(scope, t);
        return t;
    }

    /**
     * Takes {@code t} out of {@code scope}, left to the garbage collector. Detaching gives up the scope's reference,
     * which freed a tensor that had no other, so one is taken first.
     */
    private static void release(PointerScope scope, Tensor t) {
        t.handle().retainReference();
        scope.detach(t.handle());
    }

    @Override
    public void close() {
        scope.close();
    }
}
