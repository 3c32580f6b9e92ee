package dev.attune.train;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Successive halving's plan and choices, and the analysis time budget, on hand-made inputs. */
class RateSearchTest {
    @Test
    void stagesEndAtANinthAndAThirdOfTheRunRoundedUpToEvaluations() {
        RateSearch plan = RateSearch.plan(RateSearch.RATES, 130, 10);
        assertEquals(List.of(20L, 50L), plan.stageEnds(), "130/9 = 14 -> 20, 130/3 = 43 -> 50");
        assertEquals(List.of(2, 1), plan.survivors());
        assertEquals(List.of(20L, 70L), RateSearch.plan(RateSearch.RATES, 188, 10).stageEnds(), "188/9 = 20, 188/3 = 62 -> 70");
    }

    @Test
    void aRunTooShortForTwoStagesGetsOne() {
        RateSearch plan = RateSearch.plan(RateSearch.RATES, 12, 10);
        assertEquals(List.of(10L), plan.stageEnds());
        assertEquals(List.of(1), plan.survivors());
    }

    @Test
    void theLowestLossesSurviveAndATieGoesToTheSmallerRate() {
        Map<Double, Double> loss = new LinkedHashMap<>();
        loss.put(1e-5, 0.9);
        loss.put(2e-5, 0.5);
        loss.put(5e-5, 0.4);
        loss.put(1e-4, 0.5);
        loss.put(2e-4, Double.NaN);
        loss.put(5e-4, Double.POSITIVE_INFINITY);
        assertEquals(List.of(2e-5, 5e-5), RateSearch.best(loss, 2), "0.4 first, then the tie at 0.5 goes to 2e-5");
        assertEquals(List.of(5e-5), RateSearch.best(loss, 1));
    }

    @Test
    void aDivergedCandidateNeverSurvivesWhileAnotherCan() {
        Map<Double, Double> loss = new LinkedHashMap<>();
        loss.put(5e-4, Double.NaN);
        loss.put(1e-5, 2.0);
        assertEquals(List.of(1e-5), RateSearch.best(loss, 1));
    }

    @Test
    void theSearchCostsTheStepsOfTheCandidatesNotChosen() {
        var o = new RateSearch.Outcome(1e-4, List.of(new RateSearch.Arm(1e-5, 20, 0.9, 1), new RateSearch.Arm(1e-4, 50, 0.3, 2),
                new RateSearch.Arm(2e-4, 50, 0.35, 2)));
        assertEquals(70, o.extraSteps());
    }

    @Test
    void aRefreshWaitsWhenItWouldTakeTheAnalysisPastItsShareOfTrainingTime() {
        // 2% of 100 s is 2 s: 1.5 s spent and a refresh of 0.4 s fits, one of 0.6 s does not
        assertTrue(SpectralLayerRates.withinBudget(0.02, 1.5, 0.4, 100 - 0.4));
        assertFalse(SpectralLayerRates.withinBudget(0.02, 1.5, 0.6, 100 - 0.6));
    }
}
