package io.conifer.api.data;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.conifer.api.ApiVersions;
import io.conifer.api.BossGroups;
import io.conifer.api.control.ControlPlaneErrors;
import io.conifer.auth.ApiKeys;
import io.conifer.error.ErrorCode;
import io.conifer.index.DataPlaneHost;
import io.conifer.index.IndexDefinition;
import io.conifer.index.StoreAccess;
import io.conifer.proto.VectorServiceGrpc;
import io.conifer.vectors.Limits;
import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptors;
import io.netty.channel.EventLoopGroup;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Starts one Armeria server per index on the index's port, speaking gRPC (h2c) and REST (HTTP/1.1
 * and HTTP/2, {@link RestRoutes} and {@link RecordsSearch}) at once, all answered by one
 * {@link VectorServiceImpl}. All of them share one event loop group, so an index costs a listening
 * socket, not threads.
 */
public final class DataPlaneServers implements DataPlaneHost {
    /** Above Pinecone's 2 MB so that oversized requests reach our own check and get a clear message. */
    private static final int MAX_WIRE_BYTES = 16 * 1024 * 1024;
    /**
     * {@code GET /vectors/fetch} carries its ids in the query string: 1,000 ids of 512 characters,
     * each percent-encoded to 3 bytes per character at worst, plus the namespace, fit in 2 MB.
     */
    private static final int MAX_REQUEST_LINE_BYTES = 2 * 1024 * 1024;
    private static final int DEFAULT_HEADERS_BYTES = 8192;

    private final ApiKeys keys;
    private final InetAddress bindAddress;
    private final EventLoopGroup workers;
    private final Predicate<String> consoleOrigins;
    private final RequestsInFlight requests = new RequestsInFlight();
    /**
     * Runs the gRPC queries that cannot block but are not alone ({@link BlockingCalls}), of every index:
     * one thread per core, each ending after a minute idle. Named {@code conifer-query-*}, apart from the
     * segment-search threads ({@code conifer-search-*}), so CPU by thread group tells the two apart.
     */
    private final ThreadPoolExecutor searches = searchThreads();

    /** {@code consoleOrigins}: the browser origins (the web console's) answered CORS, so it can read stats. */
    public DataPlaneServers(ApiKeys keys, InetAddress bindAddress, EventLoopGroup workers, Predicate<String> consoleOrigins) {
        this.keys = keys;
        this.bindAddress = bindAddress;
        this.workers = workers;
        this.consoleOrigins = consoleOrigins;
    }

    private static ThreadPoolExecutor searchThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        AtomicInteger made = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(cores, cores, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread t = new Thread(task, "conifer-query-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public Closeable serve(IndexDefinition index, StoreAccess stores) throws IOException {
        PendingStoreService service = new PendingStoreService(index, stores);
        DataPlaneAuth auth = new DataPlaneAuth(keys, index.project());
        Predicate<MethodDescriptor<?, ?>> cannotBlock = method ->
                method.equals(VectorServiceGrpc.getQueryMethod()) && service.queryStaysInMemory();
        GrpcService grpc = GrpcService.builder()
                .addService(ServerInterceptors.intercept(service.grpc(), auth, new BlockingCalls(
                        method -> cannotBlock.test(method) && requests.alone(), cannotBlock, searches)))
                .exceptionHandler(DataPlaneErrors.EXCEPTIONS)
                .maxRequestMessageLength(MAX_WIRE_BYTES)
                .build();
        ServerBuilder sb = Server.builder()
                .http(new InetSocketAddress(bindAddress, index.port()))
                .workerGroup(workers, false)
                .bossGroupFactory(BossGroups.withoutQuietPeriod())
                .maxRequestLength(MAX_WIRE_BYTES)
                .http1MaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .http2MaxHeaderListSize(MAX_REQUEST_LINE_BYTES + DEFAULT_HEADERS_BYTES)
                // A deleted index stops at once; in-flight calls get a moment to finish.
                .gracefulShutdownTimeoutMillis(0, 500)
                // Client mistakes are answered with a clear error; they are not server faults to report.
                .unloggedExceptionsReportIntervalMillis(0)
                .service(grpc)
                .route().post(DocumentsApi.PATH).build(new DocumentsApi(index, auth, stores::documents))
                .route().post(RecordsSearch.PATH).build(new RecordsSearch(index, auth, service))
                .decorator((delegate, ctx, req) -> {
                    // REST bodies are limited by size on the wire, as Pinecone does; gRPC messages by
                    // their protobuf size inside the service.
                    MediaType type = req.contentType();
                    boolean isGrpc = type != null && type.subtype().startsWith("grpc");
                    long length = req.headers().getLong(HttpHeaderNames.CONTENT_LENGTH, -1L);
                    if (!isGrpc && length > Limits.MAX_REQUEST_BYTES) {
                        String tooLarge = "Request size " + length + " bytes exceeds the maximum request size of "
                                + Limits.MAX_REQUEST_BYTES + " bytes (2 MB)";
                        return DataPlaneErrors.answersErrorResponse(req.path(), req.headers().get(ApiVersions.HEADER))
                                ? ControlPlaneErrors.response2026_07(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge)
                                : DataPlaneErrors.json(HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                                        io.grpc.Status.Code.RESOURCE_EXHAUSTED.value(), tooLarge);
                    }
                    // The request timeout covers receiving the request only (a slow body is 408): once it is
                    // in, a write may already be applying, and a timeout answer could then claim "failed"
                    // for a write that happened. From then on the call answers its own result; gRPC
                    // clients bound the wait with their own deadlines.
                    req.whenComplete().thenRun(ctx::clearRequestTimeout);
                    requests.track(ctx);
                    return delegate.serve(ctx, req);
                })
                .decorator(CorsService.builder(consoleOrigins)
                        .allowRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE)
                        .allowRequestHeaders("api-key", "content-type", ApiVersions.HEADER)
                        .newDecorator())
                .errorHandler(DataPlaneErrors.SERVER);
        RestRoutes.bind(sb, auth, service);
        Server server = sb.build();
        try {
            server.start().join();
        } catch (CompletionException e) {
            server.closeAsync();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String msg = String.valueOf(cause.getMessage());
            if (cause instanceof BindException || msg.contains("Address already in use")) {
                BindException be = new BindException("Port " + index.port() + " is in use");
                be.initCause(cause);
                throw be;
            }
            throw new IOException("Cannot start the data plane of index '" + index.name() + "': " + msg, cause);
        }
        return () -> server.stop().join();
    }
}
