package io.conifer.api.data;

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
 * is decoded and handed over on the event loop; the half-close, on which a unary call runs its method,
 * is one task on the blocking executor. The other callbacks stay where they arrive: for a unary call
 * they only record state the method reads (the request, before the hand-over) or set flags it polls
 * (cancelled), so running them alongside is safe and costs no hop. Armeria's own
 * {@code useBlockingTaskExecutor} starts the call on the blocking executor too, comes back to the event
 * loop to read the message, and hops again: two round trips per call instead of one.
 */
final class BlockingCalls implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Executor blocking = ServiceRequestContext.current().blockingTaskExecutor();
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                blocking.execute(listener::onHalfClose);
            }
        };
    }
}
