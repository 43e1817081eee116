package io.conifer.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * The run times of a schedule: its {@link Frequency} counted from its anchor, the first run. Every
 * run is at {@link #RUN_TIME} UTC (the hour Pinecone's own examples use); UTC has no daylight saving,
 * so a daily schedule runs every 24 hours exactly.
 */
public record Cadence(Frequency frequency, Instant anchor) {
    public static final LocalTime RUN_TIME = LocalTime.of(6, 0);

    /** The first run of a schedule created at {@code created}: the next {@link #RUN_TIME} strictly after it. */
    public static Instant firstRunAfter(Instant created) {
        Instant today = created.atOffset(ZoneOffset.UTC).toLocalDate().atTime(RUN_TIME).toInstant(ZoneOffset.UTC);
        return today.isAfter(created) ? today : today.plus(Duration.ofDays(1));
    }

    /** The first run strictly after {@code t}. */
    public Instant runAfter(Instant t) {
        if (t.isBefore(anchor)) return anchor;
        long k = frequency.runsBefore(anchor, t);
        Instant run = frequency.run(anchor, k);
        while (!run.isAfter(t)) run = frequency.run(anchor, ++k);
        return run;
    }

    /** The last run at or before {@code t}, or null before the anchor. */
    public Instant runAtOrBefore(Instant t) {
        if (t.isBefore(anchor)) return null;
        long k = frequency.runsBefore(anchor, t);
        while (!frequency.run(anchor, k + 1).isAfter(t)) k++;
        return frequency.run(anchor, k);
    }
}
