package dev.attune.train;

/**
 * A diverged step undone: the step that diverged and why, the step whose checkpoint was restored, how many rollbacks
 * the run has had, and the factor now applied to every learning rate (halved at each rollback).
 */
public record Rollback(long atStep, String reason, long toStep, int count, double learningRateScale) {}
