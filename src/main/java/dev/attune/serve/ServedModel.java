package dev.attune.serve;

import dev.attune.Predictor;
import dev.attune.monitor.Reference;

/** A loaded model, the version name the server reports for it, and its monitoring reference (null if it has none). */
record ServedModel(String version, Predictor predictor, Reference reference) {
    static ServedModel load(String version, Predictor predictor) {
        return new ServedModel(version, predictor, Reference.read(predictor.directory()));
    }
}
