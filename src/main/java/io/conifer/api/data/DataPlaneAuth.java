package io.conifer.api.data;

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

/**
 * Admits a data-plane call only with an API key of the index's project and a supported API version,
 * and makes that version the call's context for the rules that differ between versions.
 * It runs for gRPC and transcoded REST calls alike (REST headers arrive as gRPC metadata), so the
 * rule is written once for both.
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
        // Armeria's gRPC calls (binary and transcoded REST) leave getAuthority() empty; the request has it.
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        String authority = ctx != null ? ctx.request().authority() : call.getAuthority();
        Status refused = refusal(keys, project, authority, headers.get(API_KEY));
        if (refused != null) {
            call.close(refused, new Metadata());
            return new ServerCall.Listener<>() {};
        }
        ApiVersion version;
        try {
            version = ApiVersions.resolve(headers.get(VERSION));
        } catch (ConiferException e) {
            call.close(Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(API_VERSION, version), call, headers, next);
    }

    /**
     * Why a request may not reach the index (PERMISSION_DENIED for a foreign Host on an open server,
     * UNAUTHENTICATED for a missing or foreign key), or null when it may. Shared by the gRPC/transcoded
     * calls and the documents REST operations.
     */
    static Status refusal(ApiKeys keys, String project, String authority, String key) {
        if (!keys.admitsHost(authority)) {
            return Status.PERMISSION_DENIED.withDescription("This server has no API keys configured, so it only answers"
                    + " requests addressed to localhost or a loopback address, not '" + authority + "'");
        }
        String callerProject = keys.projectOf(key);
        if (callerProject == null || !callerProject.equals(project)) {
            // A key of another project is treated as unknown: it must not learn the index exists.
            return Status.UNAUTHENTICATED.withDescription(key == null || key.isEmpty()
                    ? "Missing API key: send it in the Api-Key header (gRPC metadata 'api-key')"
                            + (keys.isOpen() ? "; any value: this server has no keys configured" : "")
                    : "Invalid API key");
        }
        return null;
    }

    /** The API version of the call being served. */
    static ApiVersion version() {
        ApiVersion v = API_VERSION.get();
        return v != null ? v : ApiVersions.SUPPORTED.get(0);
    }
}
