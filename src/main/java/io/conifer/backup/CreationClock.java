package io.conifer.backup;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Creation times to the millisecond, strictly increasing. Backups and restore jobs are listed by
 * creation time, then by their random id, so two created within one millisecond would otherwise be
 * listed in random order: a client paging "oldest first" saw its second backup before its first.
 */
public final class CreationClock {
    /** Fixed width, so that bitwise order is time order. */
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private long lastMillis = Long.MIN_VALUE;

    public CreationClock() {
        this(Clock.systemUTC());
    }

    public CreationClock(Clock clock) {
        this.clock = clock;
    }

    /** Now, or a millisecond after the last time this clock gave if now is not later. */
    public synchronized String next() {
        lastMillis = Math.max(clock.millis(), lastMillis + 1);
        return FORMAT.format(Instant.ofEpochMilli(lastMillis));
    }

    /** Now, in the same format, for times that order nothing (a job's completion). */
    public String now() {
        return FORMAT.format(clock.instant());
    }
}
