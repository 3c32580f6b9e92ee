package dev.attune;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The torch.distributed environment a worker reads, and the errors for values no launcher would set. */
class WorkersTest {
    @Test
    void readsTorchrunsVariables() {
        assertNull(Workers.Env.fromEnvironment(Map.of()), "no RANK and WORLD_SIZE: not a worker");
        var env = Workers.Env.fromEnvironment(Map.of("RANK", "3", "WORLD_SIZE", "4", "MASTER_ADDR", "10.0.0.1", "MASTER_PORT", "29501",
                "LOCAL_RANK", "1", "LOCAL_WORLD_SIZE", "2"));
        assertEquals(new Workers.Env("10.0.0.1", 29501, 4, 3, 1, 2), env);
        assertEquals(new Workers.Env("127.0.0.1", 29500, 1, 0, 0, 1), Workers.Env.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "1")));
    }

    @Test
    void badValuesNameTheVariable() {
        assertEquals("RANK: 4 must be in 0..3 (WORLD_SIZE 4)", assertThrows(AttuneException.class,
                () -> Workers.Env.fromEnvironment(Map.of("RANK", "4", "WORLD_SIZE", "4", "MASTER_PORT", "1"))).getMessage());
        assertEquals("WORLD_SIZE: 'two' is not a whole number", assertThrows(AttuneException.class,
                () -> Workers.Env.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "two"))).getMessage());
        assertEquals("MASTER_PORT: not set; every worker of a run needs rank 0's address and port", assertThrows(AttuneException.class,
                () -> Workers.Env.fromEnvironment(Map.of("RANK", "1", "WORLD_SIZE", "2"))).getMessage());
        assertEquals("MASTER_PORT: 70000 is not a TCP port", assertThrows(AttuneException.class,
                () -> Workers.Env.fromEnvironment(Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_PORT", "70000"))).getMessage());
    }
}
