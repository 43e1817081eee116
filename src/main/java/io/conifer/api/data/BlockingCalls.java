package io.conifer.api.data;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Runs a gRPC call's method on the blocking executor, with one hand-over, unless it may run on the event
 * loop. A write waits for the log's fsync and a read may refresh the searcher or fault pages of the
 * index in from disk: on an event loop that serves every index's connections, either would stall them
 * all. But two thread hand-overs (to the executor and back for the answer) are a large part of a small
 * query's cost, so {@code runsOnLoop} may keep a call that cannot block, when nothing else waits for
 * the loop, where it is.
 *
 * <p>The call starts (admission, the store lookup) and its message is decoded on the event loop; the
 * half-close, on which a unary call runs its method, is the one task moved. The other callbacks stay
 * where they arrive: for a unary call they only record state the method reads (the request, before
 * the hand-over) or set flags it polls (cancelled), so running them alongside is safe and costs no
 * hop. Armeria's own {@code useBlockingTaskExecutor} starts the call on the blocking executor too,
 * comes back to the event loop to read the message, and hops again: two round trips per call instead
 * of one.
 */
final class BlockingCalls implements ServerInterceptor {
    private final Predicate<MethodDescriptor<?, ?>> runsOnLoop;

    /** {@code runsOnLoop}: asked on the event loop when a call's method is due, whether to run it there. */
    BlockingCalls(Predicate<MethodDescriptor<?, ?>> runsOnLoop) {
        this.runsOnLoop = runsOnLoop;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Executor blocking = ServiceRequestContext.current().blockingTaskExecutor();
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                if (runsOnLoop.test(call.getMethodDescriptor())) {
                    listener.onHalfClose();
                } else {
                    blocking.execute(listener::onHalfClose);
                }
            }
        };
    }
}
