package dev.attune.engine;

import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.List;

/**
 * libtorch's AdamW over named parameter groups, each with its own learning rate and weight decay. Changing a
 * group's learning rate keeps the moment estimates; the optimizer state is never reset. Closing it frees the moment
 * estimates (two fp32 tensors per parameter) at once instead of whenever the garbage collector gets to it.
 */
public final class AdamW implements AutoCloseable {
    /** A parameter group: a name (for logs), its tensors, its weight decay. */
    public record Group(String name, List<Tensor> params, double weightDecay) {}

    private final org.bytedeco.pytorch.AdamW optimizer;
    private final List<Group> groups;
    private final TensorVector all = new TensorVector();

    /** AdamW with libtorch's default betas (0.9, 0.999), as Hugging Face's Trainer uses. */
    public AdamW(List<Group> groups, double learningRate, double eps) {
        Engine.init();
        if (groups.isEmpty()) throw new IllegalArgumentException("no parameter groups to optimize");
        this.groups = List.copyOf(groups);
        Group first = groups.get(0);
        optimizer = new org.bytedeco.pytorch.AdamW(vector(first.params()), options(learningRate, eps, first.weightDecay()));
        for (int i = 1; i < groups.size(); i++) {
            Group g = groups.get(i);
            optimizer.add_param_group(new OptimizerParamGroup(vector(g.params()), options(learningRate, eps, g.weightDecay())));
        }
        for (Group g : groups) for (Tensor t : g.params()) all.push_back(t.handle());
    }

    private static AdamWOptions options(double lr, double eps, double wd) {
        // betas stay at their defaults: they are a std::tuple, whose memory layout is not portable to write into
        AdamWOptions o = new AdamWOptions(lr);
        o.eps().put(eps);
        o.weight_decay().put(wd);
        return o;
    }

    private static TensorVector vector(List<Tensor> params) {
        TensorVector v = new TensorVector();
        for (Tensor t : params) v.push_back(t.handle());
        return v;
    }

    /** Every optimized tensor, group by group. */
    public List<Tensor> parameters() {
        List<Tensor> out = new java.util.ArrayList<>();
        for (Group g : groups) out.addAll(g.params());
        return out;
    }

    public List<Group> groups() {
        return groups;
    }

    public void setLearningRate(int group, double lr) {
        optimizer.param_groups().get(group).options().set_lr(lr);
    }

    public double learningRate(int group) {
        return optimizer.param_groups().get(group).options().get_lr();
    }

    public void zeroGrad() {
        optimizer.zero_grad(true);
    }

    /** Scales gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before clipping. */
    public double clipGradNorm(double maxNorm) {
        return torch.clip_grad_norm_(all, maxNorm);
    }

    public void step() {
        optimizer.step();
    }

    /**
     * Writes the moment estimates and step counts (libtorch's archive format). Refused, before native code, when the
     * file's disk cannot hold them: libtorch's writer aborts the process on a short write.
     */
    public void save(Path file) throws java.io.IOException {
        long moments = 0;
        for (Group g : groups) for (Tensor t : g.params()) moments += 8 * t.numel();            // two fp32 moments each
        requireSpace(file, moments + moments / 50 + (16L << 20));                              // archive overhead, margin
        try (OutputArchive a = new OutputArchive()) {
            optimizer.save(a);
            a.save_to(file.toString());
        }
    }

    /** Throws when the disk {@code file} would be written to has fewer than {@code bytes} free. */
    static void requireSpace(Path file, long bytes) throws java.io.IOException {
        Path dir = file.toAbsolutePath().getParent();
        long free = java.nio.file.Files.getFileStore(dir).getUsableSpace();
        if (free < bytes) {
            throw new java.io.IOException(file + ": not enough disk space for the optimizer state (needs about "
                    + (bytes >> 20) + " MB, " + (free >> 20) + " MB free)");
        }
    }

    @Override
    public void close() {
        optimizer.close();
        all.close();
    }

    public void load(Path file) {
        try (InputArchive a = new InputArchive()) {
            a.load_from(file.toString());
            optimizer.load(a);
        }
    }
}
