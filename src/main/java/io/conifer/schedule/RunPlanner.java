package io.conifer.schedule;

import java.time.Instant;

/**
 * Decides, from the clock alone, whether a schedule runs now and when it runs next. Whatever the clock
 * does, a schedule runs at most once per tick and its next run is then strictly after the clock, so a
 * run needs the clock to pass another run time: downtime that missed several runs costs exactly one
 * catch-up backup (named after the latest missed run time), and no jump of the clock makes a burst.
 * A clock that goes back by less than a period (another server's clock, a correction) changes
 * nothing; one that goes back further pulls the next run to the next run time of the new clock, so
 * backups resume at their cadence instead of waiting until the clock has caught up.
 */
final class RunPlanner {
    /** {@code runAt} null: nothing to run now. */
    record Plan(Instant runAt, Instant nextRun) {}

    private RunPlanner() {}

    static Plan plan(Cadence cadence, Instant nextRun, Instant now) {
        Instant upcoming = cadence.runAfter(now);
        if (now.isBefore(nextRun)) {
            return new Plan(null, nextRun.isAfter(cadence.runAfter(upcoming)) ? upcoming : nextRun);
        }
        Instant latest = cadence.runAtOrBefore(now);
        return new Plan(latest == null || latest.isBefore(nextRun) ? nextRun : latest, upcoming);
    }

    /** The next run after a change of frequency: a run already due (its tick has not come yet) stays due. */
    static Instant replan(Cadence changed, Instant nextRun, Instant now) {
        return nextRun.isAfter(now) ? changed.runAfter(now) : nextRun;
    }
}
