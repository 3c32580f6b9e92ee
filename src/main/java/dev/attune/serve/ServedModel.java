package dev.attune.serve;

import dev.attune.Predictor;

/** A loaded model and the version name the server reports for it. */
record ServedModel(String version, Predictor predictor) {}
