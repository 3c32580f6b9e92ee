package dev.attune.train;

import dev.attune.data.EncodedDataset;
import dev.attune.engine.AdamW;
import dev.attune.model.Dropout;
import dev.attune.model.SequenceClassifier;

import java.util.ArrayList;
import java.util.List;

/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates", 2017): train for a few dozen steps while the rate
 * grows exponentially from {@code minRate} to {@code maxRate}, smooth the loss, stop once it diverges, and pick the
 * rate at the smoothed minimum divided by 10. The model's weights are restored afterwards; the optimizer used for the
 * test is thrown away.
 */
public final class LearningRateFinder {
    /** One probe: the rate, the raw loss, the bias-corrected exponential average. */
    public record Point(double learningRate, double loss, double smoothed) {}

    public record Result(double chosen, List<Point> points) {}

    private LearningRateFinder() {}

    public static Result find(SequenceClassifier model, EncodedDataset train, int batchSize, boolean bf16, long seed,
                              List<String> freeze, double minRate, double maxRate, int steps) {
        WeightSnapshot saved = WeightSnapshot.of(model);
        ParameterGroups pg = ParameterGroups.build(model.parameters(), freeze, 0.0);
        AdamW opt = new AdamW(pg.groups(), minRate, 1e-8);
        TrainStep step = new TrainStep(model, opt, bf16, 1.0);
        List<EncodedDataset.Batch> batches = new ArrayList<>();
        for (int epoch = 0; batches.size() < steps; epoch++) batches.addAll(train.forEpoch(epoch).epoch(batchSize, true, Seeds.rangeTestDataOrder(seed, epoch)));
        List<Point> points = new ArrayList<>();
        double avg = 0, best = Double.POSITIVE_INFINITY, bestRate = minRate;
        try {
            for (int k = 0; k < steps; k++) {
                double lr = minRate * Math.pow(maxRate / minRate, (double) k / Math.max(1, steps - 1));
                for (int g = 0; g < pg.groups().size(); g++) opt.setLearningRate(g, lr);
                var masks = Seeds.rangeTestDropout(seed, k);
                EncodedDataset.Batch b = batches.get(k);
                double loss = step.run(b.tokens(), b.labels(), Dropout.masks(masks), TrainStep.Guard.NONE).loss();
                avg = 0.8 * avg + 0.2 * loss;
                double smoothed = avg / (1 - Math.pow(0.8, k + 1));
                points.add(new Point(lr, loss, smoothed));
                if (smoothed < best) {
                    best = smoothed;
                    bestRate = lr;
                }
                if (!Double.isFinite(loss) || smoothed > 4 * best) break;
            }
        } finally {
            opt.close();
            saved.restore(model);
        }
        return new Result(bestRate / 10, points);
    }
}
