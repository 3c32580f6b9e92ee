package dev.attune.serve;

/** A request the server refuses: the HTTP status, a short machine-readable code and a one-line message. */
final class ApiError extends RuntimeException {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }
}
