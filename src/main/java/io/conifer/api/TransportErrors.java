package io.conifer.api;

import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures the HTTP server raises around a handler rather than inside it: a body over the size limit,
 * a body that did not arrive within the request timeout, a request line or headers too long. They are
 * the client's doing, so both planes turn them into their own error shape with a message naming the
 * limit, and log one line instead of an internal-error stack trace.
 */
public final class TransportErrors {
    private static final Logger log = LoggerFactory.getLogger(TransportErrors.class);
    private static final AttributeKey<Boolean> LOGGED = AttributeKey.valueOf(TransportErrors.class, "logged");

    private TransportErrors() {}

    /**
     * The error for an exception the server raised while receiving the request (logged), or null
     * when {@code cause} came from a handler.
     */
    public static ConiferException classify(ServiceRequestContext ctx, Throwable cause) {
        HttpStatus status;
        if (cause instanceof HttpStatusException e) status = e.httpStatus();
        else if (cause instanceof ContentTooLargeException) status = HttpStatus.REQUEST_ENTITY_TOO_LARGE;
        // Armeria's own rule: a timeout before the whole request arrived is the client's (408).
        else if (cause instanceof RequestTimeoutException) status = bodyReceived(ctx) ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.REQUEST_TIMEOUT;
        else return null;
        ConiferException error = describe(ctx.config(), status, null, cause);
        logRefusal(ctx, ctx.request().headers(), status, error.getMessage());
        if (status.isServerError()) log.warn("{} {}: {}", ctx.method(), ctx.path(), error.getMessage());
        return error;
    }

    /** The error for a status the server produced itself, worded with the limit that was hit. */
    public static ConiferException describe(ServiceConfig config, HttpStatus status, String description, Throwable cause) {
        ErrorCode code = ErrorCode.forHttpStatus(status.code());
        ContentTooLargeException tooLarge = tooLarge(cause);
        long maxBody = tooLarge != null ? tooLarge.maxContentLength() : config.maxRequestLength();
        String message = switch (status.code()) {
            case 408 -> "The request body did not arrive within the request timeout of "
                    + seconds(config.requestTimeoutMillis());
            case 413 -> "The request body exceeds the maximum request size of " + maxBody + " bytes";
            case 414 -> "The request URI exceeds the maximum request line length of "
                    + config.server().config().http1MaxInitialLineLength() + " bytes";
            case 431 -> "The request headers exceed the maximum header size of "
                    + config.server().config().http1MaxHeaderSize() + " bytes";
            case 503 -> "The request did not complete within the request timeout of "
                    + seconds(config.requestTimeoutMillis());
            default -> description != null ? description : status.reasonPhrase();
        };
        return new ConiferException(code, message, cause);
    }

    /**
     * Logs a transport limit the request broke as one line, not a stack trace: the server is fine, the
     * request was not. Armeria may report one refusal twice (to the gRPC handler, then to the HTTP
     * renderer), so a request is logged once. Other statuses are not logged.
     */
    public static void logRefusal(ServiceRequestContext ctx, RequestHeaders headers, HttpStatus status, String message) {
        if (!isLimit(status)) return;
        if (ctx != null) {
            if (ctx.hasAttr(LOGGED)) return;
            ctx.setAttr(LOGGED, Boolean.TRUE);
        }
        log.info("Refused {} {}: {} {}", headers == null ? "" : headers.method(), headers == null ? "" : headers.path(),
                status.code(), message);
    }

    private static boolean isLimit(HttpStatus status) {
        return switch (status.code()) {
            case 408, 413, 414, 431 -> true;
            default -> false;
        };
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static ContentTooLargeException tooLarge(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ContentTooLargeException e) return e;
        }
        return null;
    }

    /** Whether the whole request arrived, so a timeout is the server's slowness, not the client's. */
    private static boolean bodyReceived(ServiceRequestContext ctx) {
        var done = ctx.request().whenComplete();
        return done.isDone() && !done.isCompletedExceptionally();
    }
}
