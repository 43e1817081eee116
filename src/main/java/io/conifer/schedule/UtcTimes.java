package io.conifer.schedule;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Schedule times as stored and served: fixed-width RFC 3339 in UTC, so bitwise order is time order. */
final class UtcTimes {
    private static final DateTimeFormatter RFC3339 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NAME_SUFFIX =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private UtcTimes() {}

    static String format(Instant t) {
        return t == null ? null : RFC3339.format(t);
    }

    static Instant parse(String t) {
        return t == null ? null : Instant.parse(t);
    }

    /** {@code <schedule-name>-YYYYMMDDTHHMMSSZ}, named after the run time it stands for. */
    static String backupName(String scheduleName, Instant slot) {
        return scheduleName + "-" + NAME_SUFFIX.format(slot);
    }
}
