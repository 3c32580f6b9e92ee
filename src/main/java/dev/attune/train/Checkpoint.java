package dev.attune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attune.AttuneException;
import dev.attune.engine.AdamW;
import dev.attune.engine.Scope;
import dev.attune.engine.Tensor;
import dev.attune.model.Safetensors;
import dev.attune.model.SequenceClassifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A resumable training state in {@code RUN/checkpoint/}: weights (model.safetensors), optimizer moments
 * (optimizer.safetensors) and the loop's counters (trainer_state.json). Written into a temporary directory and swapped in
 * with renames, so a kill at any moment leaves either the previous checkpoint or the new one, never a half-written one.
 */
public final class Checkpoint {
    /**
     * The loop's counters: the step, the best validation loss so far and its step, evaluations without improvement,
     * training seconds summed over every segment of the run, and rollbacks after diverged steps so far, with the step
     * whose loss spike caused the last one.
     */
    public record State(long step, double bestLoss, long bestStep, int evalsWithoutImprovement, double trainSeconds, int rollbacks,
                        long lossSpikeStep) {
        public static State start() {
            return new State(0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, 0);
        }

        /** Every learning rate is halved at each rollback. */
        public double learningRateScale() {
            return Math.pow(0.5, rollbacks);
        }

        State next(long step, double seconds) {
            return new State(step, bestLoss, bestStep, evalsWithoutImprovement, trainSeconds + seconds, rollbacks, lossSpikeStep);
        }

        State evaluated(double loss) {
            return loss < bestLoss ? new State(step, loss, step, 0, trainSeconds, rollbacks, lossSpikeStep)
                    : new State(step, bestLoss, bestStep, evalsWithoutImprovement + 1, trainSeconds, rollbacks, lossSpikeStep);
        }

        /** @param spikeStep the step rolled back from when its loss spiked (0 otherwise): replayed, its spike is the data's */
        State rolledBack(State restored, long spikeStep) {
            return new State(restored.step, restored.bestLoss, restored.bestStep, restored.evalsWithoutImprovement,
                    trainSeconds, rollbacks + 1, spikeStep);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    public static void save(Path dir, SequenceClassifier model, AdamW optimizer, State state) throws IOException {
        dev.attune.Directories.replace(dir, tmp -> {
            Safetensors.write(tmp.resolve("model.safetensors"), model.weights(), Map.of("format", "pt"));
            writeOptimizer(tmp.resolve(OPTIMIZER), optimizer);
            Files.writeString(tmp.resolve("trainer_state.json"), JSON.writeValueAsString(state));
        });
    }

    /** True when {@code dir} holds a complete checkpoint (or a finished swap left one in {@code .old}). */
    public static boolean exists(Path dir) {
        recoverInterruptedSwap(dir);
        return Files.isRegularFile(dir.resolve("trainer_state.json"));
    }

    /** The step a checkpoint was written at. */
    public static long step(Path dir) {
        try {
            return JSON.readValue(dir.resolve("trainer_state.json").toFile(), State.class).step();
        } catch (IOException e) {
            throw new AttuneException(dir.resolve("trainer_state.json") + ": cannot read checkpoint counters (" + AttuneException.firstLine(e.getMessage()) + ")");
        }
    }

    /** Restores weights and optimizer state into {@code model} and {@code optimizer}; returns the counters. */
    public static State load(Path dir, SequenceClassifier model, AdamW optimizer) {
        recoverInterruptedSwap(dir);
        State s;
        try {
            s = JSON.readValue(dir.resolve("trainer_state.json").toFile(), State.class);
        } catch (IOException e) {
            throw new AttuneException(dir.resolve("trainer_state.json") + ": cannot read checkpoint counters (" + AttuneException.firstLine(e.getMessage()) + ")");
        }
        restoreWeights(model, dir.resolve("model.safetensors"));
        Path optimizerFile = dir.resolve(OPTIMIZER);
        if (!Files.exists(optimizerFile) && Files.exists(dir.resolve("optimizer.pt"))) {
            throw new AttuneException(dir.resolve("optimizer.pt") + ": optimizer state in the format of an earlier attune version, "
                    + "which cannot resume this run; start it again without --resume");
        }
        try {
            optimizer.restore(sink -> Safetensors.forEach(optimizerFile, w -> sink.put(w.name(), w.shape(), w.data())));
        } catch (RuntimeException e) {
            throw new AttuneException(optimizerFile + ": cannot read optimizer state (" + AttuneException.firstLine(e.getMessage()) + ")");
        }
        return s;
    }

    /** The optimizer's state file: its moments and step counts under PyTorch's state numbering ({@link AdamW#state}). */
    static final String OPTIMIZER = "optimizer.safetensors";

    /** Writes the optimizer's state one tensor at a time. */
    private static void writeOptimizer(Path file, AdamW optimizer) throws IOException {
        List<Safetensors.Entry> entries = new java.util.ArrayList<>();
        optimizer.state().forEach((name, t) -> entries.add(new Safetensors.Entry(name, t.shape(), t::floats)));
        Safetensors.write(file, entries, Map.of("format", "attune-adamw", "betas", AdamW.BETAS));
    }

    /**
     * Copies the weights saved in a safetensors file (Hugging Face names, optionally under {@code bert.}) into the
     * model's parameters, one tensor at a time.
     */
    public static void restoreWeights(SequenceClassifier model, Path file) {
        Map<String, Tensor> params = model.parameters();
        java.util.Set<String> restored = new java.util.HashSet<>();
        Safetensors.forEach(file, w -> {
            Tensor p = params.get(w.name());
            if (p == null) return;
            if (!java.util.Arrays.equals(w.shape(), p.shape())) {
                throw new AttuneException(file + ": tensor " + w.name() + " has shape " + w.shapeString() + ", expected "
                        + java.util.Arrays.toString(p.shape()));
            }
            try (Scope s = Scope.open()) {
                p.copyFrom(Tensor.fromFloats(w.data(), w.shape()));
            }
            restored.add(w.name());
        });
        for (String name : params.keySet()) if (!restored.contains(name)) throw new AttuneException(file + ": missing tensor " + name);
    }

    /** A kill between the two renames of a swap leaves only {@code .old}: put it back. */
    private static void recoverInterruptedSwap(Path dir) {
        Path abs = dir.toAbsolutePath();
        Path old = abs.resolveSibling(abs.getFileName() + ".old");
        try {
            if (!Files.exists(abs) && Files.exists(old)) Files.move(old, abs, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // left as it is: exists() then reports no checkpoint
        }
    }
}
