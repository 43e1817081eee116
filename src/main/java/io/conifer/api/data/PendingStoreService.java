package io.conifer.api.data;

import io.conifer.error.ConiferException;
import io.conifer.proto.VectorServiceGrpc;
import io.conifer.vectors.VectorStore;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.util.function.Supplier;

/**
 * {@code VectorService} for a port that may serve before its index's store is open (while its log
 * replays, or when it failed to open): each call asks for the store and, while there is none, is
 * answered with the supplier's error (UNAVAILABLE with the reason); once there is, with
 * {@link VectorServiceImpl} over it. gRPC calls come through {@link #grpc()}, REST calls ask
 * {@link #service()}.
 */
final class PendingStoreService {
    private final Supplier<VectorStore> stores;
    private volatile Bound bound;

    private record Bound(VectorStore store, VectorServiceImpl service, ServerServiceDefinition definition) {}

    PendingStoreService(Supplier<VectorStore> stores) {
        this.stores = stores;
    }

    /** The service over the store now open; throws the supplier's error while there is none. */
    VectorServiceImpl service() {
        return bound(stores.get()).service();
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
                service = bound(stores.get()).definition();
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

    private Bound bound(VectorStore store) {
        Bound b = bound;
        if (b == null || b.store() != store) {
            VectorServiceImpl service = new VectorServiceImpl(store);
            b = new Bound(store, service, service.bindService());
            bound = b;
        }
        return b;
    }
}
