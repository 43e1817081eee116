package io.conifer.api.control;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.auth.ApiKeys;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.netty.util.AttributeKey;

/**
 * Admits every control-plane call: resolves the API version it asks for (so every later step answers
 * in that version's dialect), authenticates its {@code Api-Key} and records the caller's project.
 */
final class ControlPlaneAuth implements DecoratingHttpServiceFunction {
    private static final AttributeKey<String> PROJECT = AttributeKey.valueOf(ControlPlaneAuth.class, "project");
    private static final AttributeKey<ApiVersion> VERSION = AttributeKey.valueOf(ControlPlaneAuth.class, "version");
    private final ApiKeys keys;

    ControlPlaneAuth(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        ApiVersion version;
        try {
            version = ApiVersions.resolve(req.headers().get(ApiVersions.HEADER));
        } catch (ConiferException e) {
            return ControlPlaneErrors.response(e.code(), e.getMessage());
        }
        ctx.setAttr(VERSION, version);
        if (!keys.admitsHost(req.authority())) {
            return ControlPlaneErrors.response(ErrorCode.FORBIDDEN, "This server has no API keys configured, so it only"
                    + " answers requests addressed to localhost or a loopback address, not '" + req.authority() + "'");
        }
        String key = req.headers().get("api-key");
        String project = keys.projectOf(key);
        if (project == null) {
            return dialect(ctx).unauthorized(key == null || key.isEmpty() ? "Missing API key: send it in the Api-Key header"
                    + (keys.isOpen() ? " (any value: this server has no keys configured)" : "") : "Invalid API key");
        }
        ctx.setAttr(PROJECT, project);
        return delegate.serve(ctx, req);
    }

    static String project(ServiceRequestContext ctx) {
        return ctx.attr(PROJECT);
    }

    /** The request's version; the oldest for failures rendered before a request reached this decorator (ctx may be null). */
    static ApiVersion version(ServiceRequestContext ctx) {
        ApiVersion v = ctx == null ? null : ctx.attr(VERSION);
        return v != null ? v : ApiVersions.SUPPORTED.get(0);
    }

    /** The reader and writer of the version this request asked for. */
    static ControlDialect dialect(ServiceRequestContext ctx) {
        return ControlDialect.of(version(ctx));
    }
}
