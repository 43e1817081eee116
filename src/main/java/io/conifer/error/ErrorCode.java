package io.conifer.error;

import io.grpc.Status;

/**
 * The error vocabulary shared by both planes: each code knows its HTTP status (control plane and
 * data-plane REST) and its gRPC status, so a failure is classified once and rendered per protocol.
 */
public enum ErrorCode {
    INVALID_ARGUMENT(400, Status.Code.INVALID_ARGUMENT),
    UNAUTHENTICATED(401, Status.Code.UNAUTHENTICATED),
    FORBIDDEN(403, Status.Code.PERMISSION_DENIED),
    NOT_FOUND(404, Status.Code.NOT_FOUND),
    ALREADY_EXISTS(409, Status.Code.ALREADY_EXISTS),
    FAILED_PRECONDITION(412, Status.Code.FAILED_PRECONDITION),
    PAYLOAD_TOO_LARGE(413, Status.Code.RESOURCE_EXHAUSTED),
    UNPROCESSABLE_ENTITY(422, Status.Code.INVALID_ARGUMENT),
    RESOURCE_EXHAUSTED(429, Status.Code.RESOURCE_EXHAUSTED),
    UNKNOWN(500, Status.Code.INTERNAL),
    UNAVAILABLE(503, Status.Code.UNAVAILABLE);

    private final int httpStatus;
    private final Status.Code grpcCode;

    ErrorCode(int httpStatus, Status.Code grpcCode) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Status.Code grpcCode() {
        return grpcCode;
    }

    /** The string Pinecone puts in {@code error.code} on the control plane. */
    public String controlPlaneName() {
        return this == PAYLOAD_TOO_LARGE ? "RESOURCE_EXHAUSTED" : name();
    }
}
