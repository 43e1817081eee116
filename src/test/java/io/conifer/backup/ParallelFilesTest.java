package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ParallelFilesTest {
    @Test
    void resultsComeBackInTheItemsOrder() throws IOException {
        assertEquals(List.of(1, 4, 9, 16, 25), ParallelFiles.map(List.of(1, 2, 3, 4, 5), i -> i * i));
    }

    @Test
    void aFailureIsRethrownOnlyOnceNoOtherStepRuns() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        AtomicBoolean slowEnded = new AtomicBoolean();
        IOException thrown = assertThrows(IOException.class, () -> ParallelFiles.map(List.of("fails", "slow"), item -> {
            if (item.equals("slow")) {
                slowStarted.countDown();
                // Like a write that does not stop at the interrupt at once: it must still end first.
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < until) LockSupport.parkNanos(until - System.nanoTime());
                slowEnded.set(true);
                return item;
            }
            try {
                assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            throw new IOException("disk gone");
        }));
        assertEquals("disk gone", thrown.getMessage());
        assertTrue(slowEnded.get(), "map returned while another step was still running");
    }
}
