package dev.attune;

/**
 * Input that attune cannot use: a file, a config key, a model name, a tensor. The message is one line that names
 * the culprit; the command line prints it and exits with status 2.
 */
public class AttuneException extends RuntimeException {
    public AttuneException(String message) {
        super(message);
    }

    public AttuneException(String message, Throwable cause) {
        super(message, cause);
    }
}
