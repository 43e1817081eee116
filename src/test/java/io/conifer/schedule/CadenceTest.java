package io.conifer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CadenceTest {
    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void firstRunIsTheNextSixOClockUtcStrictlyAfterCreation() {
        assertEquals(t("2026-04-03T06:00:00Z"), Cadence.firstRunAfter(t("2026-04-02T18:22:56.712Z")), "the spec's example");
        assertEquals(t("2026-04-02T06:00:00Z"), Cadence.firstRunAfter(t("2026-04-02T05:59:59.999Z")));
        assertEquals(t("2026-04-03T06:00:00Z"), Cadence.firstRunAfter(t("2026-04-02T06:00:00Z")), "strictly after");
        assertEquals(t("2027-01-01T06:00:00Z"), Cadence.firstRunAfter(t("2026-12-31T23:59:59Z")), "across a year end");
    }

    @Test
    void dailyRunsEveryTwentyFourHoursAcrossDaylightSavingDates() {
        Cadence c = new Cadence(Frequency.DAILY, t("2026-03-27T06:00:00Z"));
        // Europe moves its clocks on 2026-03-29 and the US on 2026-03-08 / 2026-11-01: UTC does not.
        assertEquals(List.of(t("2026-03-28T06:00:00Z"), t("2026-03-29T06:00:00Z"), t("2026-03-30T06:00:00Z"),
                t("2026-03-31T06:00:00Z")), runs(c, t("2026-03-27T06:00:00Z"), 4));
        assertEquals(t("2026-11-02T06:00:00Z"), c.runAfter(t("2026-11-01T06:00:00Z")));
        assertEquals(t("2026-03-27T06:00:00Z"), c.runAfter(t("2020-01-01T00:00:00Z")), "before the anchor: the anchor");
        assertEquals(t("2026-04-10T06:00:00Z"), c.runAtOrBefore(t("2026-04-11T05:59:59Z")));
        assertEquals(t("2026-04-11T06:00:00Z"), c.runAtOrBefore(t("2026-04-11T06:00:00Z")), "a run time is its own latest");
        assertNull(c.runAtOrBefore(t("2026-03-27T05:59:59Z")));
    }

    @Test
    void weeklyKeepsTheAnchorsWeekday() {
        Cadence c = new Cadence(Frequency.WEEKLY, t("2026-04-03T06:00:00Z")); // a Friday
        assertEquals(List.of(t("2026-04-10T06:00:00Z"), t("2026-04-17T06:00:00Z"), t("2026-04-24T06:00:00Z")),
                runs(c, t("2026-04-03T06:00:00Z"), 3));
        assertEquals(t("2026-04-10T06:00:00Z"), c.runAfter(t("2026-04-09T23:00:00Z")));
        assertEquals(t("2026-04-03T06:00:00Z"), c.runAtOrBefore(t("2026-04-10T05:59:59Z")));
        assertEquals(t("2027-04-02T06:00:00Z"), c.runAfter(t("2027-03-27T00:00:00Z")), "52 weeks on, still a Friday");
    }

    @Test
    void monthlyOnTheThirtyFirstUsesMonthEndsAndReturnsToTheThirtyFirst() {
        Cadence c = new Cadence(Frequency.MONTHLY, t("2027-01-31T06:00:00Z"));
        assertEquals(List.of(t("2027-02-28T06:00:00Z"), t("2027-03-31T06:00:00Z"), t("2027-04-30T06:00:00Z"),
                t("2027-05-31T06:00:00Z")), runs(c, t("2027-01-31T06:00:00Z"), 4));
        Cadence leap = new Cadence(Frequency.MONTHLY, t("2028-01-30T06:00:00Z"));
        assertEquals(t("2028-02-29T06:00:00Z"), leap.runAfter(t("2028-01-30T06:00:00Z")), "leap year");
        assertEquals(t("2028-03-30T06:00:00Z"), leap.runAfter(t("2028-02-29T06:00:00Z")), "not the 29th forever");
        assertEquals(t("2027-02-28T06:00:00Z"), c.runAtOrBefore(t("2027-03-31T05:59:59Z")));
        assertEquals(t("2028-01-31T06:00:00Z"), c.runAfter(t("2028-01-15T00:00:00Z")), "a year on");
        assertEquals(t("2027-12-31T06:00:00Z"), c.runAtOrBefore(t("2028-01-15T00:00:00Z")));
    }

    private static List<Instant> runs(Cadence c, Instant from, int n) {
        List<Instant> out = new ArrayList<>();
        Instant t = from;
        for (int i = 0; i < n; i++) out.add(t = c.runAfter(t));
        return out;
    }
}
