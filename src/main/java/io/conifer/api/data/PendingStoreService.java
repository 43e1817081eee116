package io.conifer.api.data;

import io.conifer.documents.DocumentStore;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexDefinition;
import io.conifer.index.StoreAccess;
import io.conifer.proto.VectorServiceGrpc;
import io.conifer.vectors.VectorStore;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.util.Set;

/**
 * {@code VectorService} for a port that may serve before its index's store is open (while its log
 * replays, or when it failed to open): each call asks for the store and, while there is none, is
 * answered with the supplier's error (UNAVAILABLE with the reason); once there is, with
 * {@link VectorServiceImpl} over it. gRPC calls come through {@link #grpc()}, REST calls ask
 * {@link #service()}.
 */
final class PendingStoreService {
    /**
     * The vector operations a document index refuses (with the store access's error naming the documents
     * API); it keeps the index stats and namespace operations, which describe any index.
     */
    private static final Set<String> VECTOR_DATA = Set.of("Upsert", "Query", "Fetch", "FetchByMetadata", "Update", "Delete", "List");

    private final StoreAccess stores;
    private final String documentIndex;
    private volatile Bound bound;

    private record Bound(Object store, VectorServiceImpl service, ServerServiceDefinition definition) {}

    PendingStoreService(IndexDefinition index, StoreAccess stores) {
        this.stores = stores;
        this.documentIndex = index.schema().isVectorIndex() ? null : index.name();
    }

    /** The service over the store now open for a method ({@code VectorService}'s name); throws why there is none. */
    VectorServiceImpl service(String method) {
        return bound(store(method)).service();
    }

    private Object store(String method) {
        return documentIndex != null && !VECTOR_DATA.contains(method) ? stores.documents() : stores.vectors();
    }

    /** Whether a vector query now would wait for neither a refresh nor the disk; false while no vector store is open. */
    boolean queryStaysInMemory() {
        Bound b = bound;
        return b != null && b.store() instanceof VectorStore vectors && vectors.searchStaysInMemory();
    }

    ServerServiceDefinition grpc() {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(VectorServiceGrpc.getServiceDescriptor());
        for (MethodDescriptor<?, ?> method : VectorServiceGrpc.getServiceDescriptor().getMethods()) add(b, method);
        return b.build();
    }

    private <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> method) {
        b.addMethod(method, (call, headers) -> {
            ServerServiceDefinition service;
            try {
                service = bound(store(method.getBareMethodName())).definition();
            } catch (ConiferException e) {
                call.close(Status.fromCode(e.code().grpcCode()).withDescription(e.getMessage()), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            @SuppressWarnings("unchecked")
            ServerCallHandler<Q, R> handler =
                    (ServerCallHandler<Q, R>) service.getMethod(method.getFullMethodName()).getServerCallHandler();
            return handler.startCall(call, headers);
        });
    }

    private Bound bound(Object store) {
        Bound b = bound;
        if (b == null || b.store() != store) {
            VectorServiceImpl service = store instanceof VectorStore vectors ? new VectorServiceImpl(vectors)
                    : new VectorServiceImpl(IndexNamespaces.of((DocumentStore) store, documentIndex));
            b = new Bound(store, service, service.bindService());
            bound = b;
        }
        return b;
    }
}
