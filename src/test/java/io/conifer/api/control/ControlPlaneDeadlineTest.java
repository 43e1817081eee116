package io.conifer.api.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.Http;
import io.conifer.error.ConiferException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A control-plane answer and the operation agree: a timeout answer means nothing was committed. */
class ControlPlaneDeadlineTest {
    /** Long enough that a loaded machine still starts {@code early()} inside it; short enough to wait out. */
    private static final long DEADLINE_MILLIS = 2_000;

    /** Operations that reach their commit point late, or commit early and answer late. */
    public static final class Operations {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        final AtomicBoolean committed = new AtomicBoolean();
        final AtomicReference<ConiferException> refused = new AtomicReference<>();

        @Blocking
        @Post("/late")
        public HttpResponse late() throws InterruptedException {
            release.await();
            try {
                ControlPlaneDeadline.GATE.pass();
                committed.set(true);
            } catch (ConiferException e) {
                refused.set(e);
            } finally {
                finished.countDown();
            }
            return HttpResponse.of(HttpStatus.CREATED);
        }

        @Blocking
        @Post("/early")
        public HttpResponse early() throws InterruptedException {
            ControlPlaneDeadline.GATE.pass();
            committed.set(true);
            Thread.sleep(DEADLINE_MILLIS + 1_000); // past the deadline, after the commit
            return HttpResponse.of(HttpStatus.CREATED);
        }
    }

    private Operations ops;
    private Server server;
    private Http http;

    @BeforeEach
    void start() {
        ops = new Operations();
        ControlPlaneErrors errors = new ControlPlaneErrors();
        server = Server.builder().http(0).errorHandler(errors).decorator(new ControlPlaneDeadline(DEADLINE_MILLIS))
                .annotatedService().exceptionHandlers(errors).build(ops).build();
        server.start().join();
        http = new Http("http://127.0.0.1:" + server.activeLocalPort(), null);
    }

    @AfterEach
    void stop() {
        ops.release.countDown();
        server.stop().join();
    }

    @Test
    void operationPastItsDeadlineIsAnswered503AndCannotCommit() throws Exception {
        Http.Response r = http.post("/late", "{}");
        assertEquals(503, r.status(), r.toString());
        assertEquals("UNAVAILABLE", r.json().get("error").get("code").asText());
        assertTrue(r.json().get("error").get("message").asText().contains("not applied"), r.toString());
        ops.release.countDown();
        ops.finished.await();
        assertFalse(ops.committed.get(), "the timed-out operation committed");
        assertTrue(ops.refused.get() != null);
    }

    @Test
    void committedOperationGetsItsOwnAnswerEvenPastTheDeadline() {
        Http.Response r = http.post("/early", "{}");
        assertEquals(201, r.status(), r.toString());
        assertTrue(ops.committed.get());
    }
}
