package io.conifer.api.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.ExceptionHandlerFunction;
import io.conifer.api.TransportErrors;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.files.DiskSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every control-plane failure, whether thrown by a handler or produced by the server itself
 * (unknown route, wrong method, body too large), as {@code {"error":{"code","message"},"status"}}.
 */
public final class ControlPlaneErrors implements ExceptionHandlerFunction, ServerErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(ControlPlaneErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static HttpResponse response(ErrorCode code, String message) {
        return response(ClassicDialect.INSTANCE, HttpStatus.valueOf(code.httpStatus()), code, message);
    }

    /** API 2026-07's {@code ErrorResponse}, which the data plane's documents operations answer too. */
    public static HttpResponse response2026_07(ErrorCode code, String message) {
        return response(Dialect2026_07.INSTANCE, HttpStatus.valueOf(code.httpStatus()), code, message);
    }

    /**
     * The status may be one the code does not name (a 415 is INVALID_ARGUMENT); the code is always a
     * listed one, named as the request's API version names it.
     */
    static HttpResponse response(ControlDialect dialect, HttpStatus status, ErrorCode code, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", dialect.codeName(code));
        error.put("message", message);
        body.put("status", status.code());
        return HttpResponse.of(status, MediaType.JSON_UTF_8, body.toString());
    }

    private static HttpResponse response(ControlDialect dialect, ErrorCode code, String message) {
        return response(dialect, HttpStatus.valueOf(code.httpStatus()), code, message);
    }

    @Override
    public HttpResponse handleException(ServiceRequestContext ctx, HttpRequest req, Throwable cause) {
        Throwable t = cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null
                ? cause.getCause() : cause;
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        if (t instanceof ConiferException e) return response(dialect, dialect.code(e), e.getMessage());
        ConiferException refused = TransportErrors.classify(ctx, t);
        if (refused != null) return response(dialect, refused.code(), refused.getMessage());
        if (DiskSpace.isFull(t)) {
            log.warn("{} {} refused: the disk is full ({})", req.method(), req.path(), t.getMessage());
            return response(dialect, ErrorCode.UNAVAILABLE, "Not enough disk space on the server to complete this request ("
                    + t.getMessage() + "); it was not completed. Free disk space and retry.");
        }
        log.error("Unexpected control-plane failure on {} {}", req.method(), req.path(), t);
        return response(dialect, ErrorCode.UNKNOWN, "Internal server error: " + t.getMessage());
    }

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        return handleException(ctx, ctx.request(), cause);
    }

    /** The message for a path of a Pinecone product Conifer does not serve (the SDKs call them on the control plane's host), else null. */
    static String unservedProduct(String path) {
        String p = path.split("\\?", 2)[0];
        if (p.equals("/embed") || p.equals("/rerank") || p.equals("/models") || p.startsWith("/models/")) {
            return "Pinecone Inference (embed, rerank, models) is not supported by Conifer: it hosts no models. Embed with a"
                    + " model of your own and upsert the vectors";
        }
        if (p.equals("/assistants") || p.startsWith("/assistants/") || p.startsWith("/assistant/")) {
            return "Pinecone Assistant is not supported by Conifer";
        }
        return null;
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
            HttpStatus status, String description, Throwable cause) {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        if (status.code() == 404 || status.code() == 405) {
            String unserved = headers == null ? null : unservedProduct(headers.path());
            if (unserved != null) {
                // A 4xx the SDKs show with its message (their 404 says only "not found"), naming what is missing.
                return response(dialect, ErrorCode.INVALID_ARGUMENT, unserved).aggregate().join();
            }
            String what = headers == null ? "" : headers.method() + " " + headers.path();
            return response(dialect, ErrorCode.NOT_FOUND, "Not found: " + what).aggregate().join();
        }
        ConiferException error = TransportErrors.describe(config, status, description, cause);
        TransportErrors.logRefusal(ctx, headers, status, error.getMessage());
        return response(dialect, status, error.code(), error.getMessage()).aggregate().join();
    }
}
