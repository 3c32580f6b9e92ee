package dev.attune.config;

import dev.attune.AttuneException;

/** A config file or override that cannot be used; the message names the file and the key. */
public class ConfigException extends AttuneException {
    public ConfigException(String message) {
        super(message);
    }
}
