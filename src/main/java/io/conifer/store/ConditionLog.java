package io.conifer.store;

import org.slf4j.Logger;

/**
 * Logs a failing condition when it starts or changes, again at most once a minute while it lasts or
 * comes and goes, and when an announced condition ends: a disk that stays full (or hovers at full) for
 * an hour costs a screen of log, not a disk's.
 */
final class ConditionLog {
    private static final long REPEAT_NANOS = 60_000_000_000L;

    private final Logger log;
    private final String subject;
    /** The condition in force, null when none. */
    private volatile String current;
    private String lastLogged;
    private long lastLoggedAt;
    /** Whether the start of the condition in force was logged (so its end is worth logging). */
    private boolean announced;

    ConditionLog(Logger log, String subject) {
        this.log = log;
        this.subject = subject;
    }

    /** Reports {@code condition} (a short, stable description; details go in {@code detail}). */
    synchronized void report(String condition, String detail, Throwable cause) {
        current = condition;
        long now = System.nanoTime();
        boolean changed = !condition.equals(lastLogged);
        if (!changed && now - lastLoggedAt < REPEAT_NANOS) return;
        lastLogged = condition;
        lastLoggedAt = now;
        announced = true;
        if (changed && cause != null) log.warn("{}: {}: {}", subject, condition, detail, cause);
        else log.warn("{}: {}: {}", subject, condition, detail);
    }

    /** Ends the condition in force, if any; cheap enough for every successful write. */
    void clear(String nowWhat) {
        if (current == null) return;
        synchronized (this) {
            if (current == null) return;
            current = null;
            if (announced) log.info("{}: {}", subject, nowWhat);
            announced = false;
        }
    }

    boolean active() {
        return current != null;
    }

    String condition() {
        return current;
    }
}
