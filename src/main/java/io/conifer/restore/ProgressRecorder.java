package io.conifer.restore;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a running restore's progress in the job store from a thread of its own, so the copy threads
 * never wait on the store's fsynced rewrites: they only offer the latest percent. It records at most
 * once per {@code every} (enough for a progress bar, few fsyncs beside other indexes' logs), the
 * latest percent winning. A percent is shown only once it is recorded, so after a crash a job keeps
 * the last value a client saw.
 */
final class ProgressRecorder {
    private static final Logger log = LoggerFactory.getLogger(ProgressRecorder.class);
    private final RestoreJobStore jobs;
    private final RestoreJob running;
    private final Map<String, Double> shown;
    private final long everyNanos;
    private final Thread thread;
    private volatile int offered;
    private boolean finished;

    ProgressRecorder(RestoreJobStore jobs, RestoreJob running, Map<String, Double> shown, Duration every) {
        this.jobs = jobs;
        this.running = running;
        this.shown = shown;
        this.everyNanos = every.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("conifer-restore-progress").start(this::record);
    }

    /** From the copy threads: takes a lock only when the percent rises, and never waits on I/O. */
    void offer(int percent) {
        if (percent <= offered) return;
        synchronized (this) {
            if (percent > offered) {
                offered = percent;
                notifyAll();
            }
        }
    }

    private void record() {
        int recorded = 0;
        long lastAt = System.nanoTime() - everyNanos;
        while (true) {
            int percent;
            synchronized (this) {
                try {
                    while (true) {
                        if (finished) return;
                        if (offered <= recorded) {
                            wait();
                            continue;
                        }
                        long left = everyNanos - (System.nanoTime() - lastAt);
                        if (left <= 0) break;
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    return;
                }
                percent = offered;
            }
            try {
                jobs.put(running.with(RestoreJob.Status.InProgress, percent, null, null));
                shown.put(running.restoreJobId(), (double) percent);
                recorded = percent;
            } catch (IOException e) {
                log.warn("Could not record the progress of restore job {}", running.restoreJobId(), e);
            }
            lastAt = System.nanoTime();
        }
    }

    /** Stops recording and waits for a write in flight, so none lands after the job's final state. */
    void finish() {
        synchronized (this) {
            finished = true;
            notifyAll();
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
