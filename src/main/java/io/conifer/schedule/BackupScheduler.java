package io.conifer.schedule;

import java.io.Closeable;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that drives {@link ScheduleService#tick} from the server's clock: first at start (so a
 * run missed while the server was down is caught up at once), then every {@link #PERIOD_SECONDS}.
 * Tests drive {@code tick} themselves with a clock of their own.
 */
public final class BackupScheduler implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);
    static final long PERIOD_SECONDS = 30;

    /** One pass over the schedules at {@code now}: {@link ScheduleService#tick}. */
    public interface Pass {
        void run(Instant now) throws Exception;
    }

    private final Pass pass;
    private final Clock clock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conifer-backup-scheduler");
        t.setDaemon(true);
        return t;
    });

    public BackupScheduler(Pass pass, Clock clock) {
        this.pass = pass;
        this.clock = clock;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    private void tick() {
        try {
            pass.run(clock.instant());
        } catch (Exception e) {
            log.error("Backup scheduler pass failed; it is retried in {} s", PERIOD_SECONDS, e);
        }
    }

    @Override
    public void close() {
        // Not shutdownNow: a pass may be taking a backup's point-in-time copy inside the source index's
        // Lucene writer, and an interrupt there closes the channel of the writer's lock: the writer fails.
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
