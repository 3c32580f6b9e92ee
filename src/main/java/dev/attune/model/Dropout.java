package dev.attune.model;

import dev.attune.engine.Tensor;

import dev.attune.engine.MaskStream;
import java.util.function.Supplier;

/** How the encoder applies dropout: not at all (inference), or through a mask source (training). */
public interface Dropout {
    Dropout NONE = new Dropout() {
        @Override
        public Tensor apply(Tensor x, double probability) {
            return x;
        }

        @Override
        public Tensor keep(Tensor x, double probability) {
            return x;
        }
    };

    /** Inverted dropout: x times a keep-mask, divided by 1 − probability. */
    Tensor apply(Tensor x, double probability);

    /**
     * x times the keep-mask {@link #apply} would use, without the division by 1 − probability: for a model that
     * folded that scale into the weights of the layer that reads x.
     */
    default Tensor keep(Tensor x, double probability) {
        return probability <= 0 ? x : apply(x, probability).mul(1.0 - probability);
    }

    /**
     * The masks this source would draw next, as a source that draws them again identically each time it is asked:
     * a layer recomputed in backward (activation checkpointing) needs the masks of its forward pass.
     */
    default Supplier<Dropout> replayable() {
        return () -> this;
    }

    /** Masks drawn in Java from {@code stream} ({@link Tensor#dropout}). */
    static Dropout masks(MaskStream stream) {
        return new Masks(stream);
    }

    /** Dropout masks from a random source; replaying forks a seed from it. */
    record Masks(MaskStream stream) implements Dropout {
        @Override
        public Tensor apply(Tensor x, double probability) {
            return x.dropout(probability, stream);
        }

        @Override
        public Tensor keep(Tensor x, double probability) {
            return x.keep(probability, stream);
        }

        @Override
        public Supplier<Dropout> replayable() {
            long seed = stream.nextLong();
            return () -> new Masks(MaskStream.seeded(seed));
        }
    }
}
