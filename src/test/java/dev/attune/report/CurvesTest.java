package dev.attune.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CurvesTest {

    @Test
    void findsTheTargetStepAndTheMeanValidationLoss(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, """
                {"step":1,"loss":0.9}
                {"step":10,"eval_loss":0.6}
                {"step":20,"eval_loss":0.4}
                {"step":30,"eval_loss":0.3}
                {"step":40,"eval_loss":0.35}
                """);
        Curves c = Curves.read(f);
        assertEquals(0.3, c.bestEvalLoss(), 0);
        assertEquals(30, c.firstStepReaching(0.3));
        assertEquals(20, c.firstStepReaching(0.45));
        assertEquals(-1, c.firstStepReaching(0.1));
        // trapezoids: (0.6+0.4)/2*10 + (0.4+0.3)/2*10 + (0.3+0.35)/2*10 = 11.75 over 30 steps
        assertEquals(11.75 / 30, c.evalLossArea(), 1e-12);
    }
}
