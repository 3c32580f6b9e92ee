package dev.attune.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weight-space ensembling of a fine-tuned model with the pretrained one it started from (WiSE-FT, Wortsman et al.,
 * 2022): every encoder tensor becomes (1 − f) · fine-tuned + f · pretrained; the new head, which has no pretrained
 * counterpart, is kept. f = 0 is the fine-tuned model; larger f trades in-domain fit for the pretrained model's
 * behaviour on data unlike the training set. Pure arithmetic on weight arrays.
 */
public final class WeightMix {
    private WeightMix() {}

    /**
     * @param fineTuned  a classifier's tensors (encoder names optionally under {@code bert.})
     * @param pretrained the pretrained encoder's tensors by Hugging Face name
     */
    public static Map<String, WeightArray> mix(Map<String, WeightArray> fineTuned, Map<String, WeightArray> pretrained, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in [0, 1] (got " + fraction + ")");
        Map<String, WeightArray> out = new LinkedHashMap<>();
        int mixed = 0;
        for (var e : fineTuned.entrySet()) {
            String name = e.getKey();
            WeightArray ft = e.getValue();
            WeightArray pre = pretrained.get(name);
            if (pre == null && name.startsWith("bert.")) pre = pretrained.get(name.substring(5));
            if (pre == null) {
                out.put(name, ft);
                continue;
            }
            if (!java.util.Arrays.equals(pre.shape(), ft.shape())) {
                throw new WeightFormatException("tensor " + name + ": fine-tuned shape " + ft.shapeString() + " but pretrained " + pre.shapeString()
                        + " (was the model fine-tuned from this pretrained model?)");
            }
            float[] a = ft.data(), b = pre.data(), m = new float[a.length];
            for (int i = 0; i < a.length; i++) m[i] = (float) ((1 - fraction) * a[i] + fraction * b[i]);
            out.put(name, new WeightArray(name, ft.shape(), m));
            mixed++;
        }
        if (mixed == 0) throw new WeightFormatException("no tensor of the fine-tuned model has a pretrained counterpart: nothing to mix");
        return out;
    }
}
