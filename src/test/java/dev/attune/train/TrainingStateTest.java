package dev.attune.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop's counters, early stopping and the divergence guard: plain arithmetic with known answers. */
class TrainingStateTest {

    @Test
    void tracksTheBestValidationLossAndEvaluationsWithoutImprovement() {
        Checkpoint.State s = Checkpoint.State.start().next(1, 0.5).evaluated(0.7);
        assertEquals(0.7, s.bestLoss());
        assertEquals(1, s.bestStep());
        assertEquals(0, s.evalsWithoutImprovement());
        s = s.next(2, 0.25).evaluated(0.8).next(3, 0.25).evaluated(0.7);
        assertEquals(0.7, s.bestLoss(), "an equal loss is no improvement");
        assertEquals(1, s.bestStep());
        assertEquals(2, s.evalsWithoutImprovement());
        assertEquals(1.0, s.trainSeconds(), 1e-12, "seconds add up over steps");
        s = s.next(4, 0.25).evaluated(0.6);
        assertEquals(4, s.bestStep());
        assertEquals(0, s.evalsWithoutImprovement());
    }

    @Test
    void aRollbackRestoresTheCountersButKeepsTheSecondsAndHalvesTheRates() {
        Checkpoint.State restored = Checkpoint.State.start().next(4, 1.0).evaluated(0.5);
        Checkpoint.State later = restored.next(5, 1.0).next(6, 1.0);
        Checkpoint.State back = later.rolledBack(restored, 6);
        assertEquals(4, back.step());
        assertEquals(0.5, back.bestLoss());
        assertEquals(3.0, back.trainSeconds(), 1e-12, "time spent on the undone steps still counts");
        assertEquals(1, back.rollbacks());
        assertEquals(0.5, back.learningRateScale());
        assertEquals(6, back.lossSpikeStep(), "the step whose loss spike caused it");
        assertEquals(0.125, back.rolledBack(restored, 0).rolledBack(restored, 0).learningRateScale());
    }

    @Test
    void earlyStoppingStopsAfterPatienceEvaluationsWithoutImprovement() {
        EarlyStopping stopping = new EarlyStopping(2);
        TrainingControl control = new TrainingControl();
        stopping.onEvaluate(eval(1, true, 0), control);
        stopping.onEvaluate(eval(2, false, 1), control);
        assertFalse(control.shouldStop());
        stopping.onEvaluate(eval(3, false, 2), control);
        assertTrue(control.shouldStop());
        assertTrue(control.stopReason().contains("2 evaluations"), control.stopReason());
    }

    @Test
    void theGuardRejectsNonFiniteAndRunawayStepsOnly() {
        DivergenceGuard guard = new DivergenceGuard(2);                     // margin 2 ln 2 = 1.386
        assertNull(guard.reject(0.70, 1.0));
        assertNull(guard.reject(2.0, 1.0), "1.30 above the running level 0.70: noise");
        // running level now 0.70 + 0.1 (2.0 - 0.70) = 0.83
        assertTrue(guard.reject(2.3, 1.0).contains("far above"), "1.47 above 0.83");
        assertTrue(guard.reject(Double.NaN, 1.0).contains("NaN"));
        assertTrue(guard.reject(0.5, Double.POSITIVE_INFINITY).contains("gradient norm"));
        assertTrue(guard.reject(0.5, 2000).contains("exploded"), "1000 times the running gradient norm 1.0");
        assertNull(guard.reject(0.5, 900));
        guard.reset();
        assertNull(guard.reject(50, 1e6), "after a reset there is no running level to compare with");
    }

    @Test
    void aReplayedLossSpikeIsTheDataAndIsAppliedButNotAnythingWorse() {
        DivergenceGuard guard = new DivergenceGuard(2);
        assertNull(guard.reject(0.1, 1.0));
        assertTrue(guard.reject(1.7, 1.0).contains("far above"));
        assertTrue(guard.lastWasLossSpike());
        TrainStep.Guard replay = guard.forReplayOfLossSpike();
        assertNull(replay.reject(1.7, 1.0), "the same hard batch from the checkpoint's weights");
        assertTrue(replay.reject(Double.NaN, 1.0).contains("NaN"));
        assertFalse(guard.lastWasLossSpike());
        assertTrue(replay.reject(0.5, 5000).contains("exploded"));
    }

    private static EvalResult eval(long step, boolean improved, int without) {
        var m = ClassificationMetrics.of(new float[][] {{0.9f, 0.1f}}, new long[] {0}, List.of("a", "b"));
        return new EvalResult(step, step, m, 0.1, improved, without);
    }
}
