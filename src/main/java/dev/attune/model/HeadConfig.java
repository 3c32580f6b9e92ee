package dev.attune.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The classification head put on the encoder: pooling ({@code mean}, {@code cls} or {@code pooler}), an optional
 * intermediate layer ({@code pre_classifier}: linear + activation, when {@code intermediateSize > 0}), dropout and the
 * {@code classifier} linear layer. Stored in config.json under {@code attune_head}.
 */
public record HeadConfig(
        @JsonProperty("pooling") String pooling,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("activation") String activation,
        @JsonProperty("dropout") double dropout) {}
