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
 * {@link VectorServiceImpl} over it.
 */
final class PendingStoreService {
    private final Supplier<VectorStore> stores;
    private volatile Bound bound;

    private record Bound(VectorStore store, ServerServiceDefinition service) {}

    private PendingStoreService(Supplier<VectorStore> stores) {
        this.stores = stores;
    }

    static ServerServiceDefinition of(Supplier<VectorStore> stores) {
        PendingStoreService pending = new PendingStoreService(stores);
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(VectorServiceGrpc.getServiceDescriptor());
        for (MethodDescriptor<?, ?> method : VectorServiceGrpc.getServiceDescriptor().getMethods()) pending.add(b, method);
        return b.build();
    }

    private <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> method) {
        b.addMethod(method, (call, headers) -> {
            ServerServiceDefinition service;
            try {
                service = serviceFor(stores.get());
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

    private ServerServiceDefinition serviceFor(VectorStore store) {
        Bound b = bound;
        if (b == null || b.store() != store) {
            b = new Bound(store, new VectorServiceImpl(store).bindService());
            bound = b;
        }
        return b.service();
    }
}
