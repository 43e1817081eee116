package io.conifer.api.control;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.CommitGate;
import io.netty.util.AttributeKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The control plane's deadline, kept so that a timeout never hides a change. Armeria's request timeout
 * covers receiving the body; from then on this decorator decides the answer: at the deadline, an
 * operation that has not reached its commit point gets 503 and can no longer commit ({@link #GATE}
 * throws), while one that has committed is given the time to answer with its own result.
 */
final class ControlPlaneDeadline implements DecoratingHttpServiceFunction {
    private static final AttributeKey<AtomicReference<Progress>> PROGRESS =
            AttributeKey.valueOf(ControlPlaneDeadline.class, "PROGRESS");

    private enum Progress { RUNNING, COMMITTED, EXPIRED, DONE }

    /** The gate for the request on the current thread; a no-op outside a request (e.g. at start-up). */
    static final CommitGate GATE = () -> {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        AtomicReference<Progress> progress = ctx == null ? null : ctx.attr(PROGRESS);
        if (progress != null && !progress.compareAndSet(Progress.RUNNING, Progress.COMMITTED)
                && progress.get() != Progress.COMMITTED) {
            throw new ConiferException(ErrorCode.UNAVAILABLE, timedOut(ctx));
        }
    };

    private final long millis;

    ControlPlaneDeadline(long millis) {
        this.millis = millis;
    }

    private static String timedOut(ServiceRequestContext ctx) {
        return "The request did not complete in time and was not applied; retry it (" + ctx.method() + " " + ctx.path() + ")";
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) {
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        req.aggregate().handle((body, err) -> {
            if (err != null) return answer.completeExceptionally(err);
            // Synchronous under Armeria's own lock: after it, its timeout has either fired already (it
            // answered; nothing here runs) or never will.
            ctx.clearRequestTimeout();
            return ctx.isCancelled() || answer.complete(run(delegate, ctx, body));
        });
        return HttpResponse.of(answer);
    }

    private HttpResponse run(HttpService delegate, ServiceRequestContext ctx, AggregatedHttpRequest body) {
        AtomicReference<Progress> progress = new AtomicReference<>(Progress.RUNNING);
        ctx.setAttr(PROGRESS, progress);
        HttpResponse handled;
        try {
            handled = delegate.serve(ctx, body.toHttpRequest());
        } catch (Exception e) {
            return HttpResponse.ofFailure(e);
        }
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        ScheduledFuture<?> timer = ctx.eventLoop().schedule(() -> {
            if (progress.compareAndSet(Progress.RUNNING, Progress.EXPIRED)) {
                // The operation runs on to its gate, which refuses it; its own answer is then dropped.
                answer.complete(ControlPlaneErrors.response(ControlPlaneAuth.dialect(ctx), HttpStatus.SERVICE_UNAVAILABLE,
                        ErrorCode.UNAVAILABLE, timedOut(ctx)));
            }
        }, millis, TimeUnit.MILLISECONDS);
        handled.aggregate().handle((res, err) -> {
            timer.cancel(false);
            if (progress.compareAndSet(Progress.RUNNING, Progress.DONE) || progress.get() == Progress.COMMITTED) {
                answer.complete(err != null ? HttpResponse.ofFailure(err) : res.toHttpResponse());
            }
            return null;
        });
        return HttpResponse.of(answer);
    }
}
