package io.conifer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunPlannerTest {
    private static final Cadence DAILY = new Cadence(Frequency.DAILY, Instant.parse("2026-04-03T06:00:00Z"));

    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void notDueBeforeTheNextRunAndDueAtIt() {
        RunPlanner.Plan early = RunPlanner.plan(DAILY, t("2026-04-05T06:00:00Z"), t("2026-04-05T05:59:59Z"));
        assertNull(early.runAt());
        assertEquals(t("2026-04-05T06:00:00Z"), early.nextRun());
        RunPlanner.Plan due = RunPlanner.plan(DAILY, t("2026-04-05T06:00:00Z"), t("2026-04-05T06:00:00Z"));
        assertEquals(t("2026-04-05T06:00:00Z"), due.runAt());
        assertEquals(t("2026-04-06T06:00:00Z"), due.nextRun());
    }

    @Test
    void downtimeThatMissedManyRunsCostsOneCatchUpNamedAfterTheLatestMissedRun() {
        RunPlanner.Plan p = RunPlanner.plan(DAILY, t("2026-04-05T06:00:00Z"), t("2026-04-15T09:30:00Z"));
        assertEquals(t("2026-04-15T06:00:00Z"), p.runAt());
        assertEquals(t("2026-04-16T06:00:00Z"), p.nextRun());
        assertNull(RunPlanner.plan(DAILY, p.nextRun(), t("2026-04-15T09:30:01Z")).runAt(), "no second run for the same gap");
    }

    @Test
    void aRunPlannedOffTheCadenceRunsUnderItsOwnTime() {
        // re-enabling plans a run "now"; a tick just after it names the backup after that time
        RunPlanner.Plan p = RunPlanner.plan(DAILY, t("2026-04-05T10:15:00Z"), t("2026-04-05T10:15:01Z"));
        assertEquals(t("2026-04-05T10:15:00Z"), p.runAt());
    }

    @Test
    void aForwardJumpOfAYearTakesOneBackup() {
        Instant now = t("2027-04-20T12:00:00Z");
        RunPlanner.Plan p = RunPlanner.plan(DAILY, t("2026-04-05T06:00:00Z"), now);
        assertEquals(t("2027-04-20T06:00:00Z"), p.runAt());
        assertTrue(p.nextRun().isAfter(now));
        assertNull(RunPlanner.plan(DAILY, p.nextRun(), now.plusSeconds(1)).runAt());
    }

    @Test
    void anotherServerFiveMinutesBehindDoesNotRunTheSameDayAgain() {
        // server A ran the 2026-04-05 run; the data directory moves to server B whose clock is 5 minutes behind
        Instant next = t("2026-04-06T06:00:00Z");
        Instant bNow = t("2026-04-05T05:55:00Z");
        for (Instant now = bNow; now.isBefore(next); now = now.plus(Duration.ofMinutes(30))) {
            RunPlanner.Plan p = RunPlanner.plan(DAILY, next, now);
            assertNull(p.runAt(), "no run at " + now);
            assertEquals(next, p.nextRun(), "the stored next run stays at " + now);
        }
    }

    @Test
    void aClockThatGoesBackMoreThanAPeriodResumesAtTheCadenceNotAfterTheGap() {
        Cadence since2025 = new Cadence(Frequency.DAILY, t("2025-01-02T06:00:00Z"));
        Instant next = t("2026-04-06T06:00:00Z");
        Instant now = t("2026-03-01T12:00:00Z"); // the clock went back five weeks
        RunPlanner.Plan p = RunPlanner.plan(since2025, next, now);
        assertNull(p.runAt(), "going back never runs at once");
        assertEquals(t("2026-03-02T06:00:00Z"), p.nextRun());
        assertEquals(t("2026-03-02T06:00:00Z"), RunPlanner.plan(since2025, p.nextRun(), now).nextRun(), "stable");
        RunPlanner.Plan beforeCreation = RunPlanner.plan(DAILY, next, t("2025-06-01T00:00:00Z"));
        assertEquals(DAILY.anchor(), beforeCreation.nextRun(), "never before the schedule's first run time");
    }

    @Test
    void aClockJumpingBackAndForthRunsAtMostOncePerRunTimePassed() {
        Instant next = t("2026-04-06T06:00:00Z");
        Instant[] clock = {t("2026-04-06T07:00:00Z"), t("2026-04-06T05:00:00Z"), t("2026-04-06T08:00:00Z"),
                t("2026-04-06T04:00:00Z"), t("2026-04-06T09:00:00Z")};
        int runs = 0;
        for (Instant now : clock) {
            RunPlanner.Plan p = RunPlanner.plan(DAILY, next, now);
            if (p.runAt() != null) runs++;
            next = p.nextRun();
        }
        assertEquals(1, runs, "one run for the one run time the clock passed");
    }

    @Test
    void aNewFrequencyPlansFromTheAnchorButARunAlreadyDueStaysDue() {
        Cadence weekly = new Cadence(Frequency.WEEKLY, DAILY.anchor());
        Instant now = t("2026-04-05T12:00:00Z");
        assertEquals(t("2026-04-10T06:00:00Z"), RunPlanner.replan(weekly, t("2026-04-06T06:00:00Z"), now),
                "the weekday of the first run");
        assertEquals(t("2026-04-05T06:00:00Z"), RunPlanner.replan(weekly, t("2026-04-05T06:00:00Z"), now),
                "due before the update, still due after it");
    }
}
