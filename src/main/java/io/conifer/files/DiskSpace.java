package io.conifer.files;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Recognises a full disk, and keeps bulk copies (backups) from taking the space live indexes need. */
public final class DiskSpace {
    /** Bulk copies leave this share of the file system free, up to {@link #MAX_RESERVE}. */
    private static final int RESERVE_PERCENT = 10;
    private static final long MAX_RESERVE = 1L << 30;

    private DiskSpace() {}

    /** Whether {@code t} (or a cause) is the OS saying the disk or the user's quota is full (ENOSPC, EDQUOT). */
    public static boolean isFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) return true;
        }
        return false;
    }

    /** Bytes an unprivileged process may still write on the file system holding {@code path}. */
    public static long usable(Path path) throws IOException {
        return Files.getFileStore(existing(path)).getUsableSpace();
    }

    /**
     * Fails with a message naming the shortfall unless writing {@code bytes} more under {@code path}
     * leaves the reserve free: a backup must run out of room before the indexes it shares a disk with do.
     */
    public static void requireHeadroom(Path path, long bytes, String what) throws IOException {
        FileStore store = Files.getFileStore(existing(path));
        long usable = store.getUsableSpace();
        long reserve = Math.min(MAX_RESERVE, store.getTotalSpace() / 100 * RESERVE_PERCENT);
        if (usable - bytes < reserve) {
            throw new IOException("Not enough free disk space for " + what + ": " + bytes + " more bytes would leave "
                    + Math.max(0, usable - bytes) + " of " + store.getTotalSpace() + " bytes free on " + store
                    + ", below the " + reserve + " bytes (" + RESERVE_PERCENT + "%, at most 1 GiB) kept free for live"
                    + " indexes. Free disk space or move the backup repository (--backup-dir) to another disk.");
        }
    }

    private static Path existing(Path path) {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        return p == null ? path : p;
    }
}
