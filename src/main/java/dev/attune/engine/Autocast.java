package dev.attune.engine;

import org.bytedeco.pytorch.global.torch;

/**
 * bf16 autocast on CPU for the duration of a try-with-resources block. Matmuls run in bf16, reductions and
 * LayerNorm stay in fp32, as libtorch's autocast lists decide.
 */
public final class Autocast implements AutoCloseable {
    private final boolean active;

    private Autocast(boolean active) {
        this.active = active;
        if (active) {
            torch.set_autocast_dtype(torch.DeviceType.CPU, torch.ScalarType.BFloat16);
            torch.set_autocast_enabled(torch.DeviceType.CPU, true);
            torch.increment_nesting();
        }
    }

    /** Opens a bf16 autocast region when {@code enabled}; otherwise a no-op region. */
    public static Autocast bf16(boolean enabled) {
        Engine.init();
        return new Autocast(enabled);
    }

    /** True inside an enabled autocast region. */
    public static boolean isActive() {
        Engine.init();
        return torch.is_autocast_enabled(torch.DeviceType.CPU);
    }

    /**
     * Suspends autocast until closed (for numerically sensitive parts such as attention probabilities);
     * a no-op when autocast is off.
     */
    public static Suspension suspend() {
        boolean wasActive = isActive();
        if (wasActive) torch.set_autocast_enabled(torch.DeviceType.CPU, false);
        return () -> {
            if (wasActive) torch.set_autocast_enabled(torch.DeviceType.CPU, true);
        };
    }

    /** A region with autocast switched off; closing it switches autocast back on. */
    public interface Suspension extends AutoCloseable {
        Suspension NONE = () -> { };

        @Override
        void close();
    }

    @Override
    public void close() {
        if (!active) return;
        if (torch.decrement_nesting() == 0) {
            torch.set_autocast_enabled(torch.DeviceType.CPU, false);
            torch.clear_cache();
        }
    }
}
