package io.conifer.schedule;

import io.conifer.error.ConiferException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * How often a schedule runs. The k-th run is counted from the schedule's first run (its anchor), not
 * from the previous run, so a monthly schedule anchored on the 31st runs on the last day of shorter
 * months and on the 31st again after them, and no run drifts.
 */
public enum Frequency {
    DAILY("daily"),
    WEEKLY("weekly"),
    MONTHLY("monthly");

    private final String apiName;

    Frequency(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static Frequency fromApi(String name) {
        for (Frequency f : values()) {
            if (f.apiName.equals(name)) return f;
        }
        throw ConiferException.invalid("Invalid frequency '" + name + "': use 'daily', 'weekly' or 'monthly'");
    }

    /** The k-th run (k ≥ 0) of a schedule whose first run is {@code anchor}; all times are UTC. */
    Instant run(Instant anchor, long k) {
        return switch (this) {
            case DAILY -> anchor.plus(k, ChronoUnit.DAYS);
            case WEEKLY -> anchor.plus(7 * k, ChronoUnit.DAYS);
            case MONTHLY -> anchor.atOffset(ZoneOffset.UTC).plusMonths(k).toInstant();
        };
    }

    /** A lower bound of how many runs fit between {@code anchor} and {@code t} (t ≥ anchor). */
    long runsBefore(Instant anchor, Instant t) {
        return switch (this) {
            case DAILY -> ChronoUnit.DAYS.between(anchor, t);
            case WEEKLY -> ChronoUnit.DAYS.between(anchor, t) / 7;
            case MONTHLY -> Math.max(0, ChronoUnit.MONTHS.between(anchor.atOffset(ZoneOffset.UTC), t.atOffset(ZoneOffset.UTC)) - 1);
        };
    }
}
