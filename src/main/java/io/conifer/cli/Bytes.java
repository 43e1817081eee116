package io.conifer.cli;

import java.util.Locale;

/** Byte counts for people: 1023 B, 1.5 KiB, 12.3 MiB, 2.0 GiB. */
final class Bytes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Bytes() {}

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double v = bytes;
        int unit = -1;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }
}
