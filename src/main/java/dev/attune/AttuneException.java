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

    /** The first line of a message from a library or the system, for a one-line error; "unknown error" for none. */
    public static String firstLine(String message) {
        if (message == null) return "unknown error";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
