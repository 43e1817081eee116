package io.conifer.api.data;

import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The data-plane requests in flight on this server (every index, both protocols), so that an event loop
 * runs a query itself only when no other request could wait behind it ({@link BlockingCalls}). A request
 * queued behind one that ran on its loop is decoded only after it, when it looks alone too; it shows
 * by arriving within {@link #QUIET_NANOS} of the last end, and is handed off, which lets the next ones
 * find each other in flight. Once two requests were in flight at once, every request is handed off
 * until none have overlapped for {@link #CONCURRENT_NANOS}.
 */
final class RequestsInFlight {
    /** Less than a client's round trip between two sequential requests; more than decoding one already received. */
    static final long QUIET_NANOS = 100_000L;
    static final long CONCURRENT_NANOS = 50_000_000L;

    private final LongSupplier nanoTime;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastEnded;
    private volatile long lastConcurrent;

    RequestsInFlight() {
        this(System::nanoTime);
    }

    RequestsInFlight(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        this.lastEnded = now - QUIET_NANOS;
        this.lastConcurrent = now - CONCURRENT_NANOS;
    }

    /** Counts {@code ctx}'s request until its response is sent or it fails. */
    void track(ServiceRequestContext ctx) {
        started();
        ctx.log().whenComplete().thenRun(this::ended);
    }

    void started() {
        if (inFlight.incrementAndGet() > 1) lastConcurrent = nanoTime.getAsLong();
    }

    void ended() {
        lastEnded = nanoTime.getAsLong();
        inFlight.decrementAndGet();
    }

    /** Whether the calling request is the only one in flight, by the rules above. */
    boolean alone() {
        long now = nanoTime.getAsLong();
        return inFlight.get() == 1 && now - lastEnded >= QUIET_NANOS && now - lastConcurrent >= CONCURRENT_NANOS;
    }
}
