package io.conifer.vectors;

import org.slf4j.Logger;

/**
 * Logs a failing condition when it starts or changes, again at most once a minute while it lasts,
 * and once when it ends, so a disk that stays full for an hour costs a screen of log, not a disk's.
 */
final class ConditionLog {
    private static final long REPEAT_NANOS = 60_000_000_000L;

    private final Logger log;
    private final String subject;
    private volatile String current;
    private long lastLogged;

    ConditionLog(Logger log, String subject) {
        this.log = log;
        this.subject = subject;
    }

    /** Reports {@code condition} (a short, stable description; details go in {@code detail}). */
    synchronized void report(String condition, String detail, Throwable cause) {
        long now = System.nanoTime();
        if (condition.equals(current) && now - lastLogged < REPEAT_NANOS) return;
        boolean changed = !condition.equals(current);
        current = condition;
        lastLogged = now;
        if (changed && cause != null) log.warn("{}: {}: {}", subject, condition, detail, cause);
        else log.warn("{}: {}: {}", subject, condition, detail);
    }

    /** Ends the current condition, if any; cheap enough for every successful write. */
    void clear(String nowWhat) {
        if (current == null) return;
        synchronized (this) {
            if (current == null) return;
            current = null;
            log.info("{}: {}", subject, nowWhat);
        }
    }

    boolean active() {
        return current != null;
    }

    String condition() {
        return current;
    }
}
