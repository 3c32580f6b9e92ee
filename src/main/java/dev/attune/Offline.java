package dev.attune;

/**
 * Keeps third-party code off the network. DJL's tokenizer binding reports usage (an HTTP request) when its classes
 * load unless {@code OPT_OUT_TRACKING} and {@code DJL_OFFLINE} are set; every entry point that may load it calls
 * {@link #ensure()} first. The launcher and the test runner set the same variables in the environment.
 */
public final class Offline {
    private Offline() {}

    public static void ensure() {
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("DJL_OFFLINE", "true");
    }
}
