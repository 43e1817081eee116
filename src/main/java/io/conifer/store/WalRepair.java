package io.conifer.store;

import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * What an operator can do about a damaged write-ahead log, with the index closed: see where the
 * damage is and what cutting there would drop, and cut there. Both hold Lucene's write lock on the
 * index, so they refuse to run while a server has it open.
 */
public final class WalRepair {
    /**
     * The log of one index: {@code records} valid records up to {@code lastSeq} before any damage, the
     * sequence the index's last checkpoint covers, and the first damage (null if none).
     */
    public record Report(Path walDir, long records, long lastSeq, long checkpointSeq, Damage damage) {}

    /**
     * The first damaged place. A torn tail is cut by the server itself on open; anything else keeps the
     * index closed until someone cuts here. {@code recordsAfter} valid records and {@code bytesAfter}
     * bytes lie beyond it.
     */
    public record Damage(String file, long offset, boolean tornTail, long recordsAfter, long bytesAfter,
            String description) {}

    private WalRepair() {}

    public static Report inspect(Path indexDir) throws IOException {
        try (Directory lucene = FSDirectory.open(indexDir.resolve("lucene")); Lock lock = lockIndex(lucene)) {
            return report(indexDir, StorageEngine.committedSeq(lucene));
        }
    }

    /**
     * Cuts the log at its first damage, which {@code file} and {@code offset} must name (an operator
     * confirms what was reported rather than picking a point). The cut bytes are kept next to the
     * file as {@code FILE.at-OFFSET.cut}, later log files are renamed likewise; returns what was set
     * aside.
     */
    public static List<Path> truncateAt(Path indexDir, String file, long offset) throws IOException {
        try (Directory lucene = FSDirectory.open(indexDir.resolve("lucene")); Lock lock = lockIndex(lucene)) {
            Path walDir = indexDir.resolve("wal");
            WalReader.Stop stop = WalReader.read(WriteAheadLog.files(walDir), StorageEngine.committedSeq(lucene), (s, p) -> {})
                    .stop();
            if (stop == null) throw new IOException("The write-ahead log in " + walDir + " has no damage: nothing to cut");
            String name = stop.file().getFileName().toString();
            if (!name.equals(file) || stop.offset() != offset) {
                throw new IOException("The first damage is at " + name + ":" + stop.offset() + ", not " + file + ":" + offset
                        + "; cut there (what lies beyond it cannot be replayed)");
            }
            List<Path> setAside = new ArrayList<>();
            if (offset == 0) {
                // Nothing of this file is kept, and an empty file would still claim its first sequence.
                setAside.add(moveAside(stop.file()));
            } else {
                setAside.add(cutAside(stop.file(), offset));
            }
            for (Path later : stop.laterFiles()) setAside.add(moveAside(later));
            DurableFiles.fsyncDirectory(walDir);
            return setAside;
        }
    }

    private static Path setAsidePath(Path file, long offset) {
        return file.resolveSibling(file.getFileName() + ".at-" + offset + ".cut");
    }

    private static Path moveAside(Path file) throws IOException {
        Path moved = setAsidePath(file, 0);
        Files.move(file, moved);
        return moved;
    }

    /** Copies the bytes from {@code offset} on aside (durably), then truncates the file there. */
    private static Path cutAside(Path file, long offset) throws IOException {
        Path cut = setAsidePath(file, offset);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel out = FileChannel.open(cut, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            for (long at = offset; at < size; ) at += in.transferTo(at, size - at, out);
            out.force(true);
            DurableFiles.fsyncDirectory(file.getParent());
            in.truncate(offset);
            in.force(true);
        }
        return cut;
    }

    private static Report report(Path indexDir, long checkpointSeq) throws IOException {
        Path walDir = indexDir.resolve("wal");
        WalReader.Result read = WalReader.read(WriteAheadLog.files(walDir), checkpointSeq, (s, p) -> {});
        WalReader.Stop stop = read.stop();
        Damage damage = stop == null ? null : new Damage(stop.file().getFileName().toString(), stop.offset(), stop.torn(),
                stop.recordsAfter(), stop.bytesAfter(), WalCorruptionException.describe(stop));
        return new Report(walDir, read.records(), read.lastSeq(), checkpointSeq, damage);
    }

    private static Lock lockIndex(Directory lucene) throws IOException {
        try {
            return lucene.obtainLock(IndexWriter.WRITE_LOCK_NAME);
        } catch (LockObtainFailedException e) {
            throw new IOException("The index is open (a server is running on this data directory?): stop the server first", e);
        }
    }
}
