package io.conifer.api.control;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersions;
import io.conifer.auth.ApiKeys;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.netty.util.AttributeKey;

/** Authenticates every control-plane call by its {@code Api-Key} and records the caller's project. */
final class ControlPlaneAuth implements DecoratingHttpServiceFunction {
    static final AttributeKey<String> PROJECT = AttributeKey.valueOf(ControlPlaneAuth.class, "project");
    private final ApiKeys keys;

    ControlPlaneAuth(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        String key = req.headers().get("api-key");
        String project = keys.projectOf(key);
        if (project == null) {
            return ControlPlaneErrors.response(ErrorCode.UNAUTHENTICATED,
                    key == null ? "Missing API key: send it in the Api-Key header" : "Invalid API key.");
        }
        try {
            ApiVersions.check(req.headers().get(ApiVersions.HEADER));
        } catch (ConiferException e) {
            return ControlPlaneErrors.response(e.code(), e.getMessage());
        }
        ctx.setAttr(PROJECT, project);
        return delegate.serve(ctx, req);
    }

    static String project(ServiceRequestContext ctx) {
        return ctx.attr(PROJECT);
    }
}
