package io.conifer.api.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conifer.api.ApiVersions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.TransportErrors;
import io.conifer.api.control.ControlPlaneErrors;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.vectors.QueryLimits;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's one error mapping: exceptions become gRPC statuses, and for REST callers a gRPC
 * status becomes Pinecone's {@code {"code": <grpc code>, "message": ..., "details": []}} (the specs'
 * {@code rpcStatus}) with the matching HTTP status, or, where the request's version's spec says so
 * (the documents operations, and the records operations from API 2026-07), its {@code ErrorResponse}.
 */
final class DataPlaneErrors {
    private static final Logger log = LoggerFactory.getLogger(DataPlaneErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Protobuf's and protobuf-java-util's JSON parser's limit on nested messages. */
    static final int MAX_NESTING = 100;

    private static final String RECORDS = "/records/";
    /** {@link DocumentsApi#PATH}: a namespace and an operation, each one path segment (a '/' in a name is encoded). */
    private static final Pattern DOCUMENTS = Pattern.compile("/namespaces/[^/]+/documents/[^/]+");
    private static final String RECORDS_UPSERT_REFUSED = "Upserting text into an index with integrated embedding"
            + " (upsert_records) is not supported by Conifer, which hosts no embedding models: upsert vectors with"
            + " POST /vectors/upsert; search_records (POST /records/namespaces/{namespace}/search) by vector or id is served";

    private DataPlaneErrors() {}

    static final GrpcExceptionHandlerFunction EXCEPTIONS = (ctx, status, cause, metadata) -> {
        if (cause instanceof ConiferException e) return status(e);
        ConiferException tooLarge = QueryLimits.refusal(cause);
        if (tooLarge != null) return status(tooLarge);
        if (isUnreadableRequest(cause)) return Status.INVALID_ARGUMENT.withDescription(unreadable(cause));
        if (cause instanceof io.grpc.StatusRuntimeException || cause instanceof io.grpc.StatusException) {
            return Status.fromThrowable(cause);
        }
        ConiferException refused = ctx instanceof ServiceRequestContext sctx ? TransportErrors.classify(sctx, cause) : null;
        if (refused != null) return status(refused);
        if (cause instanceof ClosedStreamException) return Status.CANCELLED.withDescription("The client cancelled the call");
        if (cause != null && status.getCode() == Status.Code.UNKNOWN) {
            log.error("Unexpected data-plane failure", cause);
            return Status.INTERNAL.withDescription("Internal error: " + cause.getMessage());
        }
        return status;
    };

    private static Status status(ConiferException e) {
        return Status.fromCode(e.code().grpcCode()).withDescription(e.getMessage());
    }

    /**
     * The message for a request that could not be read as its message type. Both parsers stop at 100
     * levels of nesting (protobuf messages over gRPC, JSON objects and arrays over REST), which a
     * filter reaches at about 19 levels of {@code $and}/{@code $or}.
     */
    private static String unreadable(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null) root = root.getCause();
        String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (detail.contains("recursion limit") || detail.contains("levels of nesting") || detail.contains("nesting depth")) {
            return "Invalid request: it nests objects more than " + MAX_NESTING
                    + " levels deep (a filter can nest $and/$or about 19 levels; metadata values cannot be objects)";
        }
        return "Invalid request body: " + detail.lines().findFirst().orElse("");
    }

    private static boolean isUnreadableRequest(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof com.google.protobuf.InvalidProtocolBufferException
                    || t instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The REST answer to a failed call: its status, as gRPC callers would get it, in the shape the
     * request's path and version take ({@link #answersErrorResponse}).
     */
    static HttpResponse rest(ServiceRequestContext ctx, Throwable cause) {
        Status status = EXCEPTIONS.apply(ctx, Status.UNKNOWN, cause, new Metadata());
        String version = ctx.request().headers().get(ApiVersions.HEADER);
        if (status.getCode() == Status.Code.UNAUTHENTICATED) return DataRules.forHeader(version).unauthorized(message(status));
        HttpStatus http = throttled(cause) ? HttpStatus.TOO_MANY_REQUESTS : httpStatus(status.getCode());
        if (answersErrorResponse(ctx.request().path(), version)) {
            return ControlPlaneErrors.response2026_07(cause instanceof ConiferException e ? e.code() : ErrorCode.forHttpStatus(http.code()),
                    message(status));
        }
        return json(http, status.getCode().value(), message(status));
    }

    /**
     * Whether a REST request's errors take the 2026-07 {@code ErrorResponse} shape: the documents
     * operations', and the records operations' where the version's spec gives them that shape (before
     * 2026-07 it gives them {@code rpcStatus}). The vector and bulk operations answer {@code rpcStatus}
     * in every version.
     */
    static boolean answersErrorResponse(String pathAndQuery, String versionHeader) {
        // The path alone: a vector route's query string may hold "/documents/" (an id, a prefix).
        String path = withoutQuery(pathAndQuery);
        return DOCUMENTS.matcher(path).matches()
                || path.startsWith(RECORDS) && DataRules.forHeader(versionHeader).recordsAnswerErrorResponse();
    }

    /** A refusal in the shape {@link #answersErrorResponse} picks, with {@code http} as rpcStatus's HTTP status. */
    private static HttpResponse shaped(String path, String versionHeader, HttpStatus http, ConiferException error) {
        return answersErrorResponse(path, versionHeader) ? ControlPlaneErrors.response2026_07(error.code(), error.getMessage())
                : json(http, error.code().grpcCode().value(), error.getMessage());
    }

    /**
     * gRPC has one code for "too large" and "slow down" alike; over REST they differ, and a client told
     * 413 shrinks its request instead of backing off as it does on 429.
     */
    private static boolean throttled(Throwable cause) {
        return cause instanceof ConiferException e && e.code() == ErrorCode.RESOURCE_EXHAUSTED;
    }

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

    /**
     * Renders the statuses the server produces itself (no route, body too large, request line too
     * long, body too slow): as Pinecone's JSON error for REST callers, and as a gRPC status for gRPC
     * callers, which cannot read an HTTP error.
     */
    static final ServerErrorHandler SERVER = new ServerErrorHandler() {
        @Override
        public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
            return null; // Armeria's defaults pick the status; renderStatus words it.
        }

        @Override
        public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
                HttpStatus status, String description, Throwable cause) {
            String path = headers == null ? "" : headers.path();
            String version = headers == null ? null : headers.get(ApiVersions.HEADER);
            // A 4xx the SDKs do not retry, saying what is missing rather than "not found".
            if (status == HttpStatus.NOT_FOUND && path.startsWith("/bulk/")) {
                return json(HttpStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT.value(),
                        "Bulk import is not supported by Conifer; use vectors upsert and query").aggregate().join();
            }
            if (status == HttpStatus.NOT_FOUND && isRecordsUpsert(path)) {
                return shaped(path, version, HttpStatus.BAD_REQUEST, ConiferException.invalid(RECORDS_UPSERT_REFUSED))
                        .aggregate().join();
            }
            ConiferException error = status == HttpStatus.NOT_FOUND || status == HttpStatus.METHOD_NOT_ALLOWED
                    ? ConiferException.notFound("Not found: " + (headers == null ? "" : headers.method() + " " + path))
                    : status == HttpStatus.BAD_REQUEST && cause != null ? ConiferException.invalid(unreadable(cause))
                    : TransportErrors.describe(config, status, description, cause);
            TransportErrors.logRefusal(ctx, headers, status, error.getMessage());
            MediaType type = headers == null ? null : headers.contentType();
            if (type != null && type.subtype().startsWith("grpc")) return grpc(error);
            return shaped(path, version, status, error).aggregate().join();
        }
    };

    private static boolean isRecordsUpsert(String pathAndQuery) {
        String path = withoutQuery(pathAndQuery);
        return path.startsWith(RECORDS) && path.endsWith("/upsert");
    }

    private static String withoutQuery(String pathAndQuery) {
        int query = pathAndQuery.indexOf('?');
        return query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    }

    /** A trailers-only gRPC response: the status a gRPC client reads instead of "HTTP status code 413". */
    private static AggregatedHttpResponse grpc(ConiferException error) {
        return AggregatedHttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                .contentType(GrpcSerializationFormats.PROTO.mediaType())
                .add("grpc-status", Integer.toString(error.code().grpcCode().value()))
                .add("grpc-message", percentEncoded(error.getMessage()))
                .build());
    }

    /** grpc-message is percent-encoded UTF-8 (the gRPC HTTP/2 protocol spec). */
    private static String percentEncoded(String message) {
        StringBuilder out = new StringBuilder();
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= ' ' && b < 0x7f && b != '%') out.append((char) b);
            else out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }
}
