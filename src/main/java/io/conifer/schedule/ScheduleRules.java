package io.conifer.schedule;

import io.conifer.error.ConiferException;
import io.conifer.index.IndexRules;

/** The rules a schedule's settings must meet; a request that breaks one is 400 and changes nothing. */
public final class ScheduleRules {
    /** The service-configured maximum the spec leaves open: ten years. */
    public static final int MAX_RETENTION_DAYS = 3650;
    public static final String TIME_BASED = "time-based";

    private ScheduleRules() {}

    public static void name(String name) {
        IndexRules.resourceName("backup schedule", name);
    }

    public static void retentionDays(int days) {
        if (days < 1 || days > MAX_RETENTION_DAYS) {
            throw ConiferException.invalid("retention.expire_after_days is " + days + "; it must be between 1 and "
                    + MAX_RETENTION_DAYS);
        }
    }

    public static void type(String type) {
        if (!TIME_BASED.equals(type)) {
            throw ConiferException.invalid("Invalid schedule.type '" + type + "': only '" + TIME_BASED + "' schedules are supported");
        }
    }
}
