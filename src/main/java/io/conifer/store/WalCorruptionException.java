package io.conifer.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The write-ahead log is damaged somewhere other than a torn tail, so opening the index would drop
 * writes that may have been acknowledged. Nothing was changed on disk; the operator decides (see
 * {@code conifer repair}).
 */
public final class WalCorruptionException extends IOException {
    private final Path file;
    private final long offset;

    WalCorruptionException(WalReader.Stop stop) {
        super(describe(stop) + ". The log files are left untouched. With the server stopped, `conifer repair --index NAME`"
                + " reports the damage; `conifer repair --index NAME --truncate-at " + stop.file().getFileName() + ":"
                + stop.offset() + "` keeps every record before it and sets the rest aside.");
        this.file = stop.file();
        this.offset = stop.offset();
    }

    /** Where the damage is and what a cut there would drop, in one sentence. */
    static String describe(WalReader.Stop stop) {
        String after = stop.recordsAfter() == 0
                ? "no valid record follows it"
                : stop.recordsAfter() + " valid record" + (stop.recordsAfter() == 1 ? "" : "s") + " (sequence "
                        + stop.firstSeqAfter() + (stop.recordsAfter() == 1 ? "" : ".." + stop.lastSeqAfter())
                        + ") follow it";
        String files = stop.laterFiles().isEmpty() ? "" : ", in this and " + stop.laterFiles().size() + " later file"
                + (stop.laterFiles().size() == 1 ? "" : "s");
        return "Write-ahead log file " + stop.file() + " has " + stop.what() + " at byte " + stop.offset()
                + " (sequence " + stop.seq() + "); " + after + files + " (" + stop.bytesAfter() + " bytes from there on)";
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
