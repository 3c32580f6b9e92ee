package dev.attune.train;

/** One layer's learning rate as set at a refresh: α, multiplier and the resulting rate, for reports. */
public record LayerRate(long step, String layer, double alpha, double multiplier, double learningRate) {}
