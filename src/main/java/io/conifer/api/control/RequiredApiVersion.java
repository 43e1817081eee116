package io.conifer.api.control;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.error.ErrorCode;

/**
 * Serves a feature only to the API version that introduced it. An older version (or none, which
 * means the oldest) gets 400 naming the version to send: the route exists, so "not found" would
 * mislead, and the SDK that has the feature already sends the right version.
 */
final class RequiredApiVersion implements DecoratingHttpServiceFunction {
    private final ApiVersion version;
    private final String feature;

    RequiredApiVersion(ApiVersion version, String feature) {
        this.version = version;
        this.feature = feature;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        // ControlPlaneAuth, outside this decorator, resolved the request's version.
        if (ControlPlaneAuth.version(ctx).atLeast(version)) return delegate.serve(ctx, req);
        String asked = req.headers().get(ApiVersions.HEADER);
        return ControlPlaneErrors.response(ErrorCode.INVALID_ARGUMENT, feature + " exist from API version " + version.wire()
                + " on; send the header X-Pinecone-Api-Version: " + version.wire() + " (this request "
                + (asked == null || asked.isEmpty() ? "sent none" : "asked for " + asked) + ")");
    }
}
