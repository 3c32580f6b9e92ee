package dev.attune;

import dev.attune.data.Tokenizer;
import dev.attune.model.ModelCatalog;
import org.junit.jupiter.api.Test;

import java.net.NetworkInterface;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Nothing the tests run can leave the machine, and the tokenizer switches third-party tracking off by itself. */
class OfflineTest {

    @Test
    void testsRunWithoutAnyNetworkInterfaceButLoopback() throws Exception {
        assumeTrue("1".equals(System.getenv("ATTUNE_TESTS_OFFLINE")), "this machine cannot create a network namespace for the tests");
        java.util.List<NetworkInterface> interfaces;
        try {
            interfaces = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (java.net.SocketException e) {
            interfaces = java.util.List.of(); // "no network interfaces configured": the namespace has only a downed loopback
        }
        for (NetworkInterface nif : interfaces) {
            assertTrue(nif.isLoopback(), "unexpected interface " + nif.getName());
        }
    }

    @Test
    void loadingATokenizerSwitchesThirdPartyTrackingOff() {
        System.clearProperty("OPT_OUT_TRACKING");
        System.clearProperty("DJL_OFFLINE");
        try (Tokenizer t = Tokenizer.load(ModelCatalog.resolve("minilm-l6").resolve("tokenizer.json"))) {
            assertTrue(t.vocabSize() > 0);
        }
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"), "set by Tokenizer.load, not by this test");
        assertEquals("true", System.getProperty("DJL_OFFLINE"));
    }
}
