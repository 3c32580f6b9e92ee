package dev.attune.model;

import dev.attune.engine.Tensor;

/** How the encoder applies dropout: not at all (inference), or through a mask source (training). */
public interface Dropout {
    Dropout NONE = (x, p) -> x;

    Tensor apply(Tensor x, double probability);
}
