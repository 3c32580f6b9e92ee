package dev.attune.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses the global learning rate by successive halving (Jamieson and Talwalkar, 2016; the core of Hyperband): every
 * candidate rate trains for the first stage, the best by validation loss go on to the next, and the last one left
 * trains to the end, continuing from where it stopped, so nothing it did is thrown away. With six candidates, two
 * survivors after a ninth of the run and one after a third, the search costs about one extra run, against the five
 * extra runs of the sweep it replaces. Stage ends fall on evaluation steps. Pure: the loop runs the stages.
 *
 * @param rates     candidate base rates, ascending
 * @param stageEnds the step at which each stage ends, ascending
 * @param survivors how many candidates go on after each stage; the last is 1
 */
public record RateSearch(List<Double> rates, List<Long> stageEnds, List<Integer> survivors) {
    /** The rates a careful user would sweep for BERT fine-tuning, and the ones the search races. */
    public static final List<Double> RATES = List.of(1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4);

    public RateSearch {
        if (stageEnds.size() != survivors.size() || survivors.get(survivors.size() - 1) != 1) {
            throw new IllegalArgumentException("one survivor count per stage, ending with 1");
        }
    }

    /**
     * Stages ending at a ninth and a third of {@code totalSteps}, each rounded up to the next evaluation step; a run too
     * short for two distinct stages gets one (all candidates to one evaluation, then the best goes on).
     */
    public static RateSearch plan(List<Double> rates, long totalSteps, int evalSteps) {
        long first = roundUp(Math.max(1, totalSteps / 9), evalSteps), second = roundUp(Math.max(1, totalSteps / 3), evalSteps);
        if (second >= totalSteps || second <= first) return new RateSearch(rates, List.of(Math.min(first, totalSteps)), List.of(1));
        return new RateSearch(rates, List.of(first, second), List.of(Math.min(2, rates.size()), 1));
    }

    private static long roundUp(long step, int every) {
        return (step + every - 1) / every * every;
    }

    /**
     * The {@code keep} rates with the lowest best validation loss so far (a smaller rate first on a tie), ascending by
     * rate. A rate whose loss is not finite never survives while another one is.
     */
    public static List<Double> best(Map<Double, Double> bestLoss, int keep) {
        List<Double> ranked = new ArrayList<>(bestLoss.keySet());
        ranked.sort(Comparator.comparingDouble((Double r) -> finiteOrInf(bestLoss.get(r))).thenComparingDouble(r -> r));
        List<Double> kept = new ArrayList<>(ranked.subList(0, Math.min(keep, ranked.size())));
        kept.sort(Comparator.naturalOrder());
        return kept;
    }

    private static double finiteOrInf(Double v) {
        return v == null || !Double.isFinite(v) ? Double.POSITIVE_INFINITY : v;
    }

    /** What the search did: each candidate's steps trained and best validation loss, and the rate chosen. */
    public record Outcome(double chosen, List<Arm> arms) {
        /** Steps trained by the candidates that were not chosen: the search's cost beyond the run itself. */
        public long extraSteps() {
            return arms.stream().filter(a -> a.learningRate() != chosen).mapToLong(Arm::steps).sum();
        }
    }

    /** One candidate: its rate, the steps it trained, its best validation loss and the stage it reached (1-based). */
    public record Arm(double learningRate, long steps, double bestLoss, int stages) {}
}
