package dev.attune.engine;

import org.junit.jupiter.api.Test;

import java.net.NetworkInterface;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OfflineTest {

    @Test
    void testsRunWithoutAnyNetworkInterfaceButLoopback() throws Exception {
        if (!"1".equals(System.getenv("ATTUNE_TESTS_OFFLINE"))) return; // namespaces unavailable: nothing to check
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
    void thirdPartyTrackingIsSwitchedOffBeforeTokenizersLoad() {
        Engine.keepOffline();
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
        assertEquals("true", System.getProperty("DJL_OFFLINE"));
    }
}
