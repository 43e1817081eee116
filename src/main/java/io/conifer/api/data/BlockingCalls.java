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
 *
 * <p>A call that cannot block but may not stay on the loop (concurrent queries: they share the loop of
 * their connection) runs on {@code cores}, one thread per core, where the next call is often queued
 * already when one ends; Armeria's blocking executor has hundreds of threads and wakes a parked one for
 * every call, which costs the pool and the loop CPU per call. Calls that may wait (writes, and queries
 * that may refresh or read from disk) keep the blocking executor, where a wait holds no core's share.
 */
final class BlockingCalls implements ServerInterceptor {
    private final Predicate<MethodDescriptor<?, ?>> runsOnLoop;
    private final Predicate<MethodDescriptor<?, ?>> cannotBlock;
    private final Executor cores;

    /**
     * Asked on the event loop when a call's method is due: {@code runsOnLoop}, whether to run it there;
     * else {@code cannotBlock}, whether it runs on {@code cores} (an executor of one thread per core).
     */
    BlockingCalls(Predicate<MethodDescriptor<?, ?>> runsOnLoop, Predicate<MethodDescriptor<?, ?>> cannotBlock, Executor cores) {
        this.runsOnLoop = runsOnLoop;
        this.cannotBlock = cannotBlock;
        this.cores = cores;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServiceRequestContext ctx = ServiceRequestContext.current();
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                MethodDescriptor<?, ?> method = call.getMethodDescriptor();
                if (runsOnLoop.test(method)) {
                    listener.onHalfClose();
                } else if (cannotBlock.test(method)) {
                    ctx.makeContextAware(cores).execute(listener::onHalfClose);
                } else {
                    ctx.blockingTaskExecutor().execute(listener::onHalfClose);
                }
            }
        };
    }
}
