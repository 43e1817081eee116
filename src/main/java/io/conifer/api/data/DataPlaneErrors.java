package io.conifer.api.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorHandler;
import io.conifer.error.ConiferException;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's one error mapping: exceptions become gRPC statuses, and for REST callers a gRPC
 * status becomes Pinecone's {@code {"code": <grpc code>, "message": ..., "details": []}} with the
 * matching HTTP status.
 */
final class DataPlaneErrors {
    private static final Logger log = LoggerFactory.getLogger(DataPlaneErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataPlaneErrors() {}

    static final GrpcExceptionHandlerFunction EXCEPTIONS = (ctx, status, cause, metadata) -> {
        if (cause instanceof ConiferException e) {
            return Status.fromCode(e.code().grpcCode()).withDescription(e.getMessage());
        }
        if (cause instanceof io.grpc.StatusRuntimeException || cause instanceof io.grpc.StatusException) {
            return Status.fromThrowable(cause);
        }
        if (isUnreadableRequest(cause)) {
            // The transcoder could not turn the JSON into the request message: a client error.
            Throwable root = cause;
            while (root.getCause() != null) root = root.getCause();
            return Status.INVALID_ARGUMENT.withDescription("Invalid request body: " + root.getMessage());
        }
        if (cause != null && status.getCode() == Status.Code.UNKNOWN) {
            log.error("Unexpected data-plane failure", cause);
            return Status.INTERNAL.withDescription("Internal error: " + cause.getMessage());
        }
        return status;
    };

    private static boolean isUnreadableRequest(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof com.google.protobuf.InvalidProtocolBufferException
                    || t instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                return true;
            }
        }
        return false;
    }

    static final UnframedGrpcErrorHandler REST = (ctx, status, response) ->
            json(httpStatus(status.getCode()), status.getCode().value(), message(status));

    static HttpResponse json(HttpStatus http, int grpcCode, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", grpcCode);
        body.put("message", message);
        body.putArray("details");
        return HttpResponse.of(http, MediaType.JSON_UTF_8, body.toString());
    }

    private static String message(Status status) {
        String d = status.getDescription();
        return d != null ? d : status.getCode().name();
    }

    static HttpStatus httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> HttpStatus.OK;
            case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
            case RESOURCE_EXHAUSTED -> HttpStatus.REQUEST_ENTITY_TOO_LARGE;
            case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            case CANCELLED -> HttpStatus.valueOf(499);
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    /** The gRPC code a server-generated HTTP error (unknown route, body too large) corresponds to. */
    static Status.Code grpcCode(HttpStatus http) {
        return switch (http.code()) {
            case 400 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404, 405 -> Status.Code.NOT_FOUND;
            case 413 -> Status.Code.RESOURCE_EXHAUSTED;
            case 503 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.INTERNAL;
        };
    }
}
