package dev.attune.train;

import dev.attune.AttuneException;
import dev.attune.engine.AdamW;
import dev.attune.engine.Tensor;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optimizer parameter groups: one pair per layer (weights with decay; biases and LayerNorm without, as Hugging Face
 * does), so each layer's learning rate can be set on its own without touching the loop. Layers are the units
 * {@code embeddings}, {@code encoder.layer.N}, {@code pooler}, {@code pre_classifier}, {@code classifier}.
 * Parameters matching a freeze pattern (a glob over Hugging Face names, or a layer name) are left out.
 */
public record ParameterGroups(List<AdamW.Group> groups, List<String> layerOfGroup, List<String> layers,
                              long trainableParameters, List<String> frozen) {

    public static ParameterGroups build(Map<String, Tensor> params, List<String> freeze, double weightDecay) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String f : freeze) matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + f));
        boolean[] used = new boolean[freeze.size()];
        Map<String, List<Tensor>> decay = new LinkedHashMap<>(), noDecay = new LinkedHashMap<>();
        List<String> frozen = new ArrayList<>();
        long trainable = 0;
        for (var e : params.entrySet()) {
            String name = e.getKey(), layer = dev.attune.LayerNames.layerOf(name);
            boolean freezeIt = false;
            for (int i = 0; i < freeze.size(); i++) {
                if (freeze.get(i).equals(layer) || matchers.get(i).matches(Path.of(name))) {
                    freezeIt = true;
                    used[i] = true;
                }
            }
            Tensor t = e.getValue();
            if (freezeIt) {
                t.requiresGrad(false);
                frozen.add(name);
                continue;
            }
            t.requiresGrad(true);
            trainable += t.numel();
            boolean nd = name.endsWith(".bias") || name.contains("LayerNorm");
            (nd ? noDecay : decay).computeIfAbsent(layer, k -> new ArrayList<>()).add(t);
            decay.computeIfAbsent(layer, k -> new ArrayList<>());
            noDecay.computeIfAbsent(layer, k -> new ArrayList<>());
        }
        for (int i = 0; i < freeze.size(); i++) {
            if (!used[i]) throw new AttuneException("model.freeze: pattern '" + freeze.get(i) + "' matches no parameter");
        }
        if (trainable == 0) throw new AttuneException("model.freeze: every parameter is frozen; nothing to train");
        List<AdamW.Group> groups = new ArrayList<>();
        List<String> layerOfGroup = new ArrayList<>();
        for (String layer : decay.keySet()) {
            if (!decay.get(layer).isEmpty()) {
                groups.add(new AdamW.Group(layer, decay.get(layer), weightDecay));
                layerOfGroup.add(layer);
            }
            if (!noDecay.get(layer).isEmpty()) {
                groups.add(new AdamW.Group(layer + ".no_decay", noDecay.get(layer), 0.0));
                layerOfGroup.add(layer);
            }
        }
        return new ParameterGroups(groups, layerOfGroup, List.copyOf(decay.keySet()), trainable, frozen);
    }

}
