package io.conifer.schedule;

import java.io.Closeable;
import java.time.Clock;
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

    private final ScheduleService schedules;
    private final Clock clock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conifer-backup-scheduler");
        t.setDaemon(true);
        return t;
    });

    public BackupScheduler(ScheduleService schedules, Clock clock) {
        this.schedules = schedules;
        this.clock = clock;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    private void tick() {
        try {
            schedules.tick(clock.instant());
        } catch (Exception e) {
            log.error("Backup scheduler pass failed; it is retried in {} s", PERIOD_SECONDS, e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
