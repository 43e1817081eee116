package io.conifer.api.data;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.auth.ApiKeys;
import io.conifer.error.ConiferException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.concurrent.Callable;

/**
 * Admits a data-plane call only with an API key of the index's project and a supported API version,
 * and makes that version the call's context for the rules that differ between versions.
 * gRPC calls pass it as an interceptor, REST calls ({@link RestRoutes}) call {@link #admit} with
 * their headers, so the rule is written once for both.
 */
final class DataPlaneAuth implements ServerInterceptor {
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> VERSION = Metadata.Key.of(ApiVersions.HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private static final Context.Key<ApiVersion> API_VERSION = Context.key("conifer-api-version");

    private final ApiKeys keys;
    private final String project;

    DataPlaneAuth(ApiKeys keys, String project) {
        this.keys = keys;
        this.project = project;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        // Armeria's gRPC calls leave getAuthority() empty; the request has it.
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        ApiVersion version;
        try {
            version = admit(ctx != null ? ctx.request().authority() : call.getAuthority(), headers.get(API_KEY), headers.get(VERSION));
        } catch (StatusException e) {
            call.close(e.getStatus(), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(API_VERSION, version), call, headers, next);
    }

    /** The API version a call with these credentials is served in, or the status that refuses it. */
    ApiVersion admit(String authority, String apiKey, String versionHeader) throws StatusException {
        if (!keys.admitsHost(authority)) {
            throw Status.PERMISSION_DENIED.withDescription("This server has no API keys configured, so it only answers"
                    + " requests addressed to localhost or a loopback address, not '" + authority + "'").asException();
        }
        String callerProject = keys.projectOf(apiKey);
        if (callerProject == null || !callerProject.equals(project)) {
            // A key of another project is treated as unknown: it must not learn the index exists.
            throw Status.UNAUTHENTICATED.withDescription(apiKey == null || apiKey.isEmpty()
                    ? "Missing API key: send it in the Api-Key header (gRPC metadata 'api-key')"
                            + (keys.isOpen() ? "; any value: this server has no keys configured" : "")
                    : "Invalid API key").asException();
        }
        try {
            return ApiVersions.resolve(versionHeader);
        } catch (ConiferException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
        }
    }

    /** Whether {@code req}'s headers pass {@link #admit}: checked before a REST body is read. */
    boolean admits(HttpRequest req) {
        try {
            admit(req.authority(), req.headers().get("api-key"), req.headers().get(ApiVersions.HEADER));
            return true;
        } catch (StatusException e) {
            return false;
        }
    }

    /** Runs a call admitted in {@code version} outside gRPC (REST), where {@link #version()} finds it. */
    static <T> T in(ApiVersion version, Callable<T> call) throws Exception {
        return Context.current().withValue(API_VERSION, version).call(call);
    }

    /** The API version of the call being served. */
    static ApiVersion version() {
        ApiVersion v = API_VERSION.get();
        return v != null ? v : ApiVersions.SUPPORTED.get(0);
    }
}
