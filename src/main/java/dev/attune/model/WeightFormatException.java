package dev.attune.model;

/** A weight, config or tokenizer file that cannot be used; the message names the file or tensor. */
public class WeightFormatException extends dev.attune.AttuneException {
    public WeightFormatException(String message) {
        super(message);
    }

    public WeightFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
