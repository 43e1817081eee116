package io.conifer.api.data;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.proto.CreateNamespaceRequest;
import io.conifer.proto.DeleteNamespaceRequest;
import io.conifer.proto.DeleteRequest;
import io.conifer.proto.DescribeIndexStatsRequest;
import io.conifer.proto.DescribeNamespaceRequest;
import io.conifer.proto.FetchByMetadataRequest;
import io.conifer.proto.FetchRequest;
import io.conifer.proto.ListNamespacesRequest;
import io.conifer.proto.ListRequest;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.UpdateRequest;
import io.conifer.proto.UpsertRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Pinecone's REST data plane: the routes of the proto's {@code google.api.http} rules, each answered
 * by the same {@link VectorServiceImpl} that answers gRPC. A request is aggregated on the event loop
 * and then handled in one task on the blocking executor: admission ({@link DataPlaneAuth}), the body
 * read once into the request message ({@link ProtoJson}), path and query parameters, the call, and the
 * response written once. Parameters follow HTTP/JSON transcoding's rules, which served these routes
 * before: a query parameter names a top-level field by its proto or camelCase name (others are
 * ignored), overrides a body field and adds to a repeated one; a body is read only where the rule has
 * {@code body: "*"}, as JSON whatever its content type, as Pinecone does ({@code curl -d} sends a form type).
 */
final class RestRoutes {
    private RestRoutes() {}

    /** One method of the service, called outside gRPC. */
    @FunctionalInterface
    interface Rpc<Q, R> {
        void call(VectorServiceImpl service, Q request, StreamObserver<R> response);
    }

    private record Route<Q extends Message, R extends Message>(HttpMethod method, String path, boolean body,
            Supplier<Message.Builder> request, Rpc<Q, R> rpc) {}

    private static final List<Route<?, ?>> ROUTES = List.of(
            new Route<>(HttpMethod.POST, "/vectors/upsert", true, UpsertRequest::newBuilder, VectorServiceImpl::upsert),
            new Route<>(HttpMethod.POST, "/query", true, QueryRequest::newBuilder, VectorServiceImpl::query),
            new Route<>(HttpMethod.GET, "/vectors/fetch", false, FetchRequest::newBuilder, VectorServiceImpl::fetch),
            new Route<>(HttpMethod.POST, "/vectors/fetch_by_metadata", true, FetchByMetadataRequest::newBuilder,
                    VectorServiceImpl::fetchByMetadata),
            new Route<>(HttpMethod.POST, "/vectors/update", true, UpdateRequest::newBuilder, VectorServiceImpl::update),
            new Route<>(HttpMethod.POST, "/vectors/delete", true, DeleteRequest::newBuilder, VectorServiceImpl::delete),
            new Route<>(HttpMethod.DELETE, "/vectors/delete", false, DeleteRequest::newBuilder, VectorServiceImpl::delete),
            new Route<>(HttpMethod.GET, "/vectors/list", false, ListRequest::newBuilder, VectorServiceImpl::list),
            new Route<>(HttpMethod.POST, "/describe_index_stats", true, DescribeIndexStatsRequest::newBuilder,
                    VectorServiceImpl::describeIndexStats),
            new Route<>(HttpMethod.GET, "/describe_index_stats", false, DescribeIndexStatsRequest::newBuilder,
                    VectorServiceImpl::describeIndexStats),
            new Route<>(HttpMethod.GET, "/namespaces", false, ListNamespacesRequest::newBuilder, VectorServiceImpl::listNamespaces),
            new Route<>(HttpMethod.POST, "/namespaces", true, CreateNamespaceRequest::newBuilder, VectorServiceImpl::createNamespace),
            new Route<>(HttpMethod.GET, "/namespaces/{namespace}", false, DescribeNamespaceRequest::newBuilder,
                    VectorServiceImpl::describeNamespace),
            new Route<>(HttpMethod.DELETE, "/namespaces/{namespace}", false, DeleteNamespaceRequest::newBuilder,
                    VectorServiceImpl::deleteNamespace));

    static void bind(ServerBuilder sb, DataPlaneAuth auth, PendingStoreService pending) {
        for (Route<?, ?> r : ROUTES) sb.route().methods(r.method()).path(r.path()).build(service(r, auth, pending));
    }

    private static HttpService service(Route<?, ?> route, DataPlaneAuth auth, PendingStoreService pending) {
        return (ctx, req) -> {
            // A request its headers refuse (key, Host, version) is answered before its body is read: else
            // anyone could make the server buffer up to the wire limit per request without a key.
            if (!auth.admits(req)) return serve(route, auth, pending, ctx, AggregatedHttpRequest.of(req.headers()));
            return HttpResponse.of(req.aggregate()
                    .thenApplyAsync(agg -> serve(route, auth, pending, ctx, agg), ctx.blockingTaskExecutor()));
        };
    }

    private static <Q extends Message, R extends Message> HttpResponse serve(Route<Q, R> route, DataPlaneAuth auth,
            PendingStoreService pending, ServiceRequestContext ctx, AggregatedHttpRequest req) {
        try {
            ApiVersion version = auth.admit(ctx.request().authority(), req.headers().get("api-key"), req.headers().get(ApiVersions.HEADER));
            Message.Builder b = route.request().get();
            // The method's name is its request message's without "Request" (UpsertRequest: Upsert).
            VectorServiceImpl service = pending.service(b.getDescriptorForType().getName().replaceFirst("Request$", ""));
            if (route.body()) ProtoJson.read(req.content().array(), b);
            for (Map.Entry<String, String> p : ctx.pathParams().entrySet()) set(b, b.getDescriptorForType().findFieldByName(p.getKey()), p.getValue());
            for (Map.Entry<String, String> p : ctx.queryParams()) set(b, field(b, p.getKey()), p.getValue());
            @SuppressWarnings("unchecked")
            Q request = (Q) b.build();
            R response = DataPlaneAuth.in(version, () -> call(route.rpc(), service, request));
            return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
                    HttpData.wrap(ProtoJson.write(response, DataRules.of(version).countsAsStrings())));
        } catch (Throwable t) {
            return DataPlaneErrors.rest(ctx, t);
        }
    }

    private static FieldDescriptor field(Message.Builder b, String name) {
        FieldDescriptor f = b.getDescriptorForType().findFieldByName(name);
        if (f != null) return f;
        for (FieldDescriptor c : b.getDescriptorForType().getFields()) if (c.getJsonName().equals(name)) return c;
        return null;
    }

    /** Sets a top-level field from a parameter, converted as transcoding did (Java's parsers, proto3's ranges). */
    private static void set(Message.Builder b, FieldDescriptor f, String text) throws InvalidProtocolBufferException {
        if (f == null) return;
        Object value;
        try {
            value = switch (f.getJavaType()) {
                case STRING -> text;
                case INT -> {
                    int v = Integer.parseInt(text);
                    if (v < 0 && (f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32)) {
                        throw new InvalidProtocolBufferException("Out of range uint32 value: " + v);
                    }
                    yield v;
                }
                case LONG -> Long.parseLong(text);
                case FLOAT -> Float.parseFloat(text);
                case DOUBLE -> Double.parseDouble(text);
                case BOOLEAN -> Boolean.parseBoolean(text);
                default -> throw new InvalidProtocolBufferException("Unsupported message type: "
                        + (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? f.getMessageType().getFullName() : f.getFullName()));
            };
        } catch (NumberFormatException e) {
            throw new InvalidProtocolBufferException(e.getMessage());
        }
        if (f.isRepeated()) b.addRepeatedField(f, value);
        else b.setField(f, value);
    }

    /** Calls a service method, which answers before it returns (every one is a synchronous unary call). */
    static <Q, R> R call(Rpc<Q, R> rpc, VectorServiceImpl service, Q request) throws Exception {
        Answer<R> answer = new Answer<>();
        rpc.call(service, request, answer);
        if (answer.error instanceof Error e) throw e;
        if (answer.error instanceof Exception e) throw e;
        return answer.value;
    }

    private static final class Answer<R> implements StreamObserver<R> {
        R value;
        Throwable error;

        @Override
        public void onNext(R value) {
            this.value = value;
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {}
    }
}
