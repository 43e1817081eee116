package io.conifer.error;

/** A failure a client caused or must know about, with a message a person can act on. */
public class ConiferException extends RuntimeException {
    private final ErrorCode code;

    public ConiferException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ConiferException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ConiferException invalid(String message) {
        return new ConiferException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static ConiferException notFound(String message) {
        return new ConiferException(ErrorCode.NOT_FOUND, message);
    }
}
