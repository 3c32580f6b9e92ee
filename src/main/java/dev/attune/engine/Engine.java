package dev.attune.engine;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * One-time native setup: load order, thread count, and the environment flags that keep third-party code offline.
 * Everything else in the engine package assumes {@link #init()} has run; the tensor factories call it.
 */
public final class Engine {
    private static volatile boolean ready;
    private static int threads;

    private Engine() {}

    /** Loads libtorch with its own OpenBLAS first and sets the intra-op thread count (default: all cores). */
    public static synchronized void init() {
        if (ready) return;
        dev.attune.Offline.ensure();
        // Prefer the bundled libraries over any system libtorch.so (Debian's python3-torch installs one):
        // unpack and load OpenBLAS and then libtorch_cpu from the JavaCPP cache before the JNI wrapper.
        // On a clean cache JavaCPP unpacks libraries one at a time as it loads them; a library loaded before its
        // dependencies are unpacked beside it makes the dynamic linker fall back to the system path, where
        // Debian's python3-torch installs an incompatible libtorch_cpu.so (a SIGSEGV). Unpack everything first.
        System.setProperty("org.bytedeco.javacpp.pathsFirst", "false");
        String platform = Loader.getPlatform();
        try {
            Loader.cacheResources(org.bytedeco.openblas.global.openblas_nolapack.class, "/org/bytedeco/openblas/" + platform + "/");
            Loader.cacheResources(torch.class, "/org/bytedeco/pytorch/" + platform + "/");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot unpack the native libraries into the JavaCPP cache: " + e.getMessage(), e);
        }
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        Loader.load(torch.class);
        torch.initLogging();                      // libtorch's own log level from TORCH_CPP_LOG_LEVEL, as in PyTorch
        String env = System.getenv("ATTUNE_THREADS");
        if (env == null) env = System.getenv("OMP_NUM_THREADS");         // what torchrun sets for its workers
        int fallback = env != null && env.matches("[1-9][0-9]*") ? Integer.parseInt(env) : Runtime.getRuntime().availableProcessors();
        int wanted = Integer.getInteger("attune.threads", fallback);
        torch.set_num_threads(wanted);
        threads = wanted;
        ready = true;
    }

    public static int threads() {
        init();
        return threads;
    }

    /** True when the CPU has native bf16 dot products (AVX512-BF16 or AMX), where autocast pays off. */
    public static boolean cpuSupportsBf16() {
        try {
            String info = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo"));
            return info.contains(" avx512_bf16") || info.contains(" amx_bf16");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The attention core inference uses here for {@code bf16} or fp32 heads: "fused" (libtorch's flash attention for
     * CPU) or "three-step" (scores, softmax, weighted sum), whichever measured faster on this CPU.
     */
    public static String attentionKernel(boolean bf16) {
        return FusedAttention.pays(bf16 ? Tensor.DType.BFLOAT16 : Tensor.DType.FLOAT32) ? "fused" : "three-step";
    }
}
