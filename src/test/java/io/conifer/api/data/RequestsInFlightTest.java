package io.conifer.api.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When an event loop may run a query itself: only for a request alone in flight, not one that arrived
 * right after another ended (it may have queued behind it), and not while requests overlap.
 */
class RequestsInFlightTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RequestsInFlight requests = new RequestsInFlight(clock::get);

    @Test
    void aRequestAloneMayRunOnTheLoopAndOneArrivingRightAfterAnotherEndedMayNot() {
        requests.started();
        assertTrue(requests.alone(), "the only request in flight");
        requests.ended();
        clock.addAndGet(RequestsInFlight.QUIET_NANOS - 1);
        requests.started();
        assertFalse(requests.alone(), "arrived within the quiet window after the last end: it may have queued behind it");
        clock.addAndGet(1);
        assertTrue(requests.alone(), "a client's own round trip later");
        requests.ended();
    }

    @Test
    void overlappingRequestsKeepEveryRequestOffTheLoopForAWhile() {
        requests.started();
        requests.started();
        assertFalse(requests.alone(), "two in flight");
        requests.ended();
        clock.addAndGet(RequestsInFlight.QUIET_NANOS);
        assertFalse(requests.alone(), "alone again, but requests overlapped just now");
        clock.addAndGet(RequestsInFlight.CONCURRENT_NANOS);
        assertTrue(requests.alone(), "no overlap for the whole window");
        requests.ended();
        assertFalse(requests.alone(), "none in flight: the question is asked only by a request in flight");
    }
}
