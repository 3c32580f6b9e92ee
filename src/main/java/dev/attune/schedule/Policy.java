package dev.attune.schedule;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-layer learning-rate policy: a pure function from what is known of the layers to a multiplier per layer,
 * applied on top of the global schedule. Layers a policy has no opinion about get 1.
 */
public interface Policy {
    Map<String, Double> multipliers(List<LayerAlpha> layers);

    /** The same rate for every layer: the plain baseline. */
    static Policy uniform() {
        return layers -> {
            Map<String, Double> m = new LinkedHashMap<>();
            for (LayerAlpha l : layers) m.put(l.layer(), 1.0);
            return m;
        };
    }

    /** η_l = η · ξ^(L − l): deeper layers (closer to the head) keep more of the rate (layer-wise decay). */
    static Policy layerDecay(double xi) {
        if (!(xi > 0 && xi <= 1)) throw new IllegalArgumentException("layer decay ξ must be in (0, 1], got " + xi);
        return layers -> {
            int top = layers.stream().mapToInt(LayerAlpha::depth).max().orElse(0);
            Map<String, Double> m = new LinkedHashMap<>();
            for (LayerAlpha l : layers) m.put(l.layer(), Math.pow(xi, top - l.depth()));
            return m;
        };
    }

    /**
     * TempBalance (Zhou et al., NeurIPS 2023): multipliers mapped linearly from α onto [sMin, sMax], the layer with the
     * smallest α (best trained) at sMin and the largest (least trained) at sMax. Layers without a fit get 1.
     */
    static Policy tempBalance(double sMin, double sMax) {
        return layers -> {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (LayerAlpha l : layers) {
                if (!l.hasAlpha()) continue;
                lo = Math.min(lo, l.alpha());
                hi = Math.max(hi, l.alpha());
            }
            Map<String, Double> m = new LinkedHashMap<>();
            for (LayerAlpha l : layers) {
                if (!l.hasAlpha()) m.put(l.layer(), 1.0);
                else if (hi - lo < 1e-12) m.put(l.layer(), (sMin + sMax) / 2);
                else m.put(l.layer(), sMin + (l.alpha() - lo) / (hi - lo) * (sMax - sMin));
            }
            return m;
        };
    }

    /**
     * Per block, 10^f with f = bound · (2σ(k(α_b − ᾱ)) − 1): blocks less trained than average (larger α) get up to
     * 10^bound times the rate, better trained ones down to 10^−bound; monotone in α and bounded.
     */
    static Policy blockSigmoid(double bound, double steepness) {
        return layers -> {
            double mean = layers.stream().filter(LayerAlpha::hasAlpha).mapToDouble(LayerAlpha::alpha).average().orElse(Double.NaN);
            Map<String, Double> m = new LinkedHashMap<>();
            for (LayerAlpha l : layers) {
                if (!l.hasAlpha() || Double.isNaN(mean)) {
                    m.put(l.layer(), 1.0);
                    continue;
                }
                double s = 1 / (1 + Math.exp(-steepness * (l.alpha() - mean)));
                m.put(l.layer(), Math.pow(10, bound * (2 * s - 1)));
            }
            return m;
        };
    }

    /** The original automated-finetuning rule: selected layers get {@code factor}× the rate while their α is above {@code threshold}. */
    static Policy uptrain(double factor, double threshold) {
        return layers -> {
            Map<String, Double> m = new LinkedHashMap<>();
            for (LayerAlpha l : layers) m.put(l.layer(), l.hasAlpha() && l.alpha() > threshold ? factor : 1.0);
            return m;
        };
    }

    /**
     * A separate rate for the new, randomly initialised head ({@code classifier}, {@code pre_classifier}): it starts
     * far from any optimum, so it gets {@code headFactor}×; the encoder layers follow {@code encoder}.
     */
    static Policy withHead(Policy encoder, double headFactor) {
        return layers -> {
            Map<String, Double> m = new LinkedHashMap<>(encoder.multipliers(layers));
            for (LayerAlpha l : layers) {
                if (l.layer().equals("classifier") || l.layer().equals("pre_classifier")) m.put(l.layer(), headFactor);
            }
            return m;
        };
    }
}
