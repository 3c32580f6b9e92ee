package dev.attune.train;

import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.SequenceClassifier;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A copy of every parameter of a model as Java arrays, to put back later: the range test and the rate search restore
 * the starting weights with it, the curvature probe moves the weights along an update and back.
 */
public final class WeightSnapshot {
    private final Map<String, float[]> values = new LinkedHashMap<>();

    private WeightSnapshot() {}

    public static WeightSnapshot of(SequenceClassifier model) {
        WeightSnapshot s = new WeightSnapshot();
        model.parameters().forEach((n, w) -> s.values.put(n, w.toFloats()));
        return s;
    }

    /** The parameter's values when the snapshot was taken. */
    public float[] get(String name) {
        return values.get(name);
    }

    /** Puts these values back into the model. */
    public void restore(SequenceClassifier model) {
        set(model, values::get);
    }

    /** Sets every parameter of {@code model} to {@code valuesOf(name)}. */
    static void set(SequenceClassifier model, Function<String, float[]> valuesOf) {
        try (Scope scope = Scope.open()) {
            model.parameters().forEach((n, w) -> w.copyFrom(Tensor.fromFloats(valuesOf.apply(n), w.shape())));
        }
    }
}
