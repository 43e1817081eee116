package io.conifer.console;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * A strict Content-Security-Policy on every console response: scripts, styles and images only from
 * the server itself (no inline code, so injected markup could not run even if it were rendered),
 * fetches only to the server and the index data planes, and no framing.
 */
final class SecurityHeaders implements DecoratingHttpServiceFunction {
    private final String policy;

    SecurityHeaders(String dataPlaneSource) {
        this.policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' "
                + dataPlaneSource + "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        return delegate.serve(ctx, req).mapHeaders(h -> h.toBuilder()
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, policy)
                .set(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
                .set(HttpHeaderNames.REFERRER_POLICY, "no-referrer")
                .build());
    }
}
