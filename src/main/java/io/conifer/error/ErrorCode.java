package io.conifer.error;

import io.grpc.Status;

/**
 * The error vocabulary shared by both planes: each code knows its HTTP status (control plane and
 * data-plane REST), its gRPC status and the {@code error.code} string the control plane sends, which
 * is always one of the spec's listed codes, so a failure is classified once and rendered per protocol.
 */
public enum ErrorCode {
    INVALID_ARGUMENT(400, Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
    UNAUTHENTICATED(401, Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED"),
    FORBIDDEN(403, Status.Code.PERMISSION_DENIED, "FORBIDDEN"),
    NOT_FOUND(404, Status.Code.NOT_FOUND, "NOT_FOUND"),
    /** The request (its body) did not arrive in time: the client's side, unlike a 503/504. */
    REQUEST_TIMEOUT(408, Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"),
    ALREADY_EXISTS(409, Status.Code.ALREADY_EXISTS, "ALREADY_EXISTS"),
    FAILED_PRECONDITION(412, Status.Code.FAILED_PRECONDITION, "FAILED_PRECONDITION"),
    PAYLOAD_TOO_LARGE(413, Status.Code.RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"),
    URI_TOO_LONG(414, Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
    UNPROCESSABLE_ENTITY(422, Status.Code.INVALID_ARGUMENT, "UNPROCESSABLE_ENTITY"),
    RESOURCE_EXHAUSTED(429, Status.Code.RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"),
    HEADERS_TOO_LARGE(431, Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
    UNKNOWN(500, Status.Code.INTERNAL, "UNKNOWN"),
    UNAVAILABLE(503, Status.Code.UNAVAILABLE, "UNAVAILABLE");

    private final int httpStatus;
    private final Status.Code grpcCode;
    private final String controlPlaneName;

    ErrorCode(int httpStatus, Status.Code grpcCode, String controlPlaneName) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
        this.controlPlaneName = controlPlaneName;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Status.Code grpcCode() {
        return grpcCode;
    }

    /** The string Pinecone puts in {@code error.code} on the control plane. */
    public String controlPlaneName() {
        return controlPlaneName;
    }

    /** The code of an HTTP status the server produced itself (no route, body too large, line too long). */
    public static ErrorCode forHttpStatus(int status) {
        if (status == 405) return NOT_FOUND;
        for (ErrorCode c : values()) {
            if (c.httpStatus == status) return c;
        }
        return status < 500 ? INVALID_ARGUMENT : UNKNOWN;
    }
}
