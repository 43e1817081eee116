package io.conifer.api.data;

import com.google.common.util.concurrent.MoreExecutors;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.Executor;

/**
 * Moves a gRPC call to the blocking executor once, for its service method: a write waits for the log's
 * fsync and a read may fault pages of the index in from disk, neither of which may stall an event loop
 * that serves every index's connections. The call starts (admission, the store lookup) and its message
 * is decoded on the event loop; its listener's callbacks then run on the blocking executor, in order,
 * so the request message and the half-close that runs the method arrive in one task. Armeria's own
 * {@code useBlockingTaskExecutor} starts the call on the blocking executor too, and then comes back to
 * the event loop for the message and hops again: two round trips per call instead of one.
 */
final class BlockingCalls implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Executor inOrder = MoreExecutors.newSequentialExecutor(ServiceRequestContext.current().blockingTaskExecutor());
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                inOrder.execute(() -> listener.onMessage(message));
            }

            @Override
            public void onHalfClose() {
                inOrder.execute(listener::onHalfClose);
            }

            @Override
            public void onCancel() {
                inOrder.execute(listener::onCancel);
            }

            @Override
            public void onComplete() {
                inOrder.execute(listener::onComplete);
            }

            @Override
            public void onReady() {
                inOrder.execute(listener::onReady);
            }
        };
    }
}
