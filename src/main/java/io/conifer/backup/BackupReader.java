package io.conifer.backup;

import io.conifer.files.DurableFiles;
import io.conifer.files.FlushBehind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Reads a backup's files back out of the repository, checking each against the manifest as it goes
 * (and an encrypted blob's every frame against its authentication tag): a restore, {@code conifer
 * backup verify} and a backup that finds a blob it has not verified itself never trust a blob unread.
 * A blob found corrupt is quarantined on the spot, so the next backup holding that content stores it
 * afresh instead of trusting it.
 *
 * <p>Both also check each Lucene file against the checksum in its own footer ({@link FooterCheck}): a
 * backup taken before backups checked their sources may hold a file that was damaged in the index.
 *
 * <p>Verify re-hashes a blob against its name (that is what makes a blob safe to share between
 * backups). A restore of a blob stored as is checks its length and the CRC32C the manifest recorded
 * of the bytes written instead, for a tenth of the CPU: the manifest (itself
 * checksummed) binds that CRC32C to the blob's name, so a damaged blob, or another blob's bytes under
 * this name, fails the restore just the same, and CRC32C catches every burst of up to 32 bits and
 * misses other damage with odds of 2^-32. Neither check resists a forger who can write to the
 * repository (who could rewrite the manifest too); encrypted blobs, authenticated by their key, are
 * still checked against their name.
 *
 * <p>That is why a blob must be stored the way its backup's manifest is ({@link
 * BackupRepository#manifestEncrypted}): the manifest's CRC32C of an encrypted blob is that of its
 * ciphertext, which anyone who can read the repository can compute, so plaintext forged to that length
 * and CRC32C (and a matching Lucene footer) in its place would pass the cheap check. A plaintext blob
 * of an encrypted backup, or an encrypted one named by a plaintext manifest, fails the read instead.
 * Neither is quarantined: the blob may well be sound and belong to other backups, the mix is what is wrong.
 */
public final class BackupReader {
    /** The window a restore's writes are flushed in (see {@link Writeback}). */
    static final long FLUSH_EVERY = 16L << 20;
    /** One read: large enough that the device is asked for a lot at once and the read ahead costs nothing. */
    private static final int BUFFER = BlobCopy.CHUNK;
    /**
     * What is hashed, written and reported at once: progress moves smoothly through large files, and
     * the JDK copies a heap buffer through a temporary direct one, so one 2 MiB write per call measured
     * many times slower than the same bytes in 256 KiB pieces.
     */
    private static final int PIECE = 256 << 10;
    private final BackupRepository repository;
    private final Throttle throttle;

    public BackupReader(BackupRepository repository, Throttle throttle) {
        this.repository = repository;
        this.throttle = throttle;
    }

    /** A file of a backup that is missing from the repository or whose content is not what was backed up. */
    public static final class DamagedFileException extends IOException {
        public DamagedFileException(String message) {
            super(message);
        }
    }

    /**
     * Copies every file of a Ready backup into {@code target} under its Lucene name, verified, then
     * fsyncs them all at once and the directory. {@code onBytes} hears of each chunk copied, from several threads.
     */
    public void materialize(BackupManifest manifest, Path target, LongConsumer onBytes) throws IOException {
        Files.createDirectories(target);
        Path dir = target.toAbsolutePath().normalize();
        // A manifest built without BackupManifest.fromJson has had no name checked; a name that leaves the
        // directory would have the copy below create or truncate whatever it points at.
        for (BackupManifest.FileEntry f : manifest.files()) {
            Path to = dir.resolve(f.name()).normalize();
            if (!BackupManifest.isFileName(f.name()) || !dir.equals(to.getParent())) {
                throw new DamagedFileException("File '" + f.name() + "' of backup " + manifest.backupId()
                        + " is not a Lucene file name: its manifest is damaged or was not written by Conifer, so nothing is restored");
            }
        }
        // Largest first: the big files start at once and the small ones pass beside them.
        List<BackupManifest.FileEntry> files = manifest.files().stream()
                .sorted(Comparator.comparingLong(BackupManifest.FileEntry::length).reversed()).toList();
        List<Path> written = ParallelFiles.map(files, f -> {
            Path to = dir.resolve(f.name());
            copyChecked(manifest.backupId(), f, to, onBytes);
            return to;
        });
        DurableFiles.fsyncAll(written);
        DurableFiles.fsyncDirectory(dir);
    }

    private void copyChecked(String backupId, BackupManifest.FileEntry f, Path to, LongConsumer onBytes) throws IOException {
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            Writeback writeback = new Writeback(out);
            try {
                read(backupId, f, writeback, true, onBytes);
            } catch (IOException | RuntimeException e) {
                writeback.flush.drain();
                throw e;
            }
            writeback.flush.await();
        }
    }

    /** Re-reads one file's blob and checks it against its name only (the backup being made that will name it); quiet when intact. */
    public void verify(BackupManifest.FileEntry f, LongConsumer onBytes) throws IOException {
        read(null, f, null, false, onBytes);
    }

    /** Re-reads one file of backup {@code backupId} and checks it, also that it is stored as the backup is. */
    public void verify(String backupId, BackupManifest.FileEntry f, LongConsumer onBytes) throws IOException {
        read(backupId, f, null, false, onBytes);
    }

    /**
     * Reads a file's blob, writing it to {@code out} (if not null) as it goes, and checks it at the end:
     * by the manifest's CRC32C if {@code byCrc} and the blob is stored as is, else by its name. With a
     * {@code backupId}, first that the blob is encrypted exactly if that backup's manifest is.
     */
    private void read(String backupId, BackupManifest.FileEntry f, Writeback out, boolean byCrc, LongConsumer onBytes)
            throws IOException {
        Optional<Boolean> encrypted = backupId == null ? Optional.empty() : repository.manifestEncrypted(backupId);
        long length = 0;
        // The stamp comes with the bytes: if the blob is replaced by a fresh copy after this opening,
        // the quarantine below sees another stamp and leaves the fresh copy alone.
        BackupRepository.StoredBlob stored = open(f);
        String actual;
        String expected = f.sha256();
        String checked = "content hash";
        FooterCheck footer = FooterCheck.streaming(f.name(), f.length());
        try (InputStream bytes = stored.bytes()) {
            BackupRepository.BlobContent blob = repository.decode(f.sha256(), f.naming(), bytes);
            if (encrypted.isPresent() && encrypted.get() == blob.asStored()) throw mixed(backupId, f, encrypted.get());
            ContentHash hash = blob.nameHash();
            if (byCrc && blob.asStored()) {
                hash = ContentHash.crc32c();
                expected = ContentHash.crc32cHex(f.crc32c());
                checked = "CRC32C";
            }
            // The next buffer is read (from the device, or decrypted) while this thread hashes and writes the last.
            try (InputStream in = blob.content(); ReadAhead ahead = new ReadAhead(in, BUFFER)) {
                for (ReadAhead.Chunk c; (c = ahead.next()) != null; ) {
                    // Piece by piece, so that progress and the throttle move as smoothly as before the read ahead.
                    for (int at = 0; at < c.length(); at += PIECE) {
                        int n = Math.min(PIECE, c.length() - at);
                        hash.update(c.bytes(), at, n);
                        footer.update(c.bytes(), at, n);
                        length += n;
                        throttle.acquire(n);
                        if (out != null) {
                            out.write(c.bytes(), at, n);
                        }
                        onBytes.accept(n);
                    }
                }
            }
            actual = hash.hex();
        } catch (EncryptedBlobs.DamagedException e) {
            throw quarantine(f, stored.stamp(), "File " + f.name() + " is corrupt: " + e.getMessage());
        }
        if (length != f.length() || !actual.equals(expected)) {
            throw quarantine(f, stored.stamp(), "File " + f.name() + " is corrupt: blob " + repository.describe(f.sha256())
                    + " has " + length + " bytes with " + checked + " " + actual + ", expected " + f.length()
                    + " bytes with " + checked + " " + expected);
        }
        if (!footer.matches()) {
            // The blob holds what was read from the index, so it is not quarantined: a new backup of a
            // sound index is what replaces it.
            throw new DamagedFileException("File " + f.name() + " was already damaged in the index when it was backed up:"
                    + " its bytes, intact in the repository, do not match the checksum in its Lucene footer, so this"
                    + " backup cannot restore it");
        }
    }

    /**
     * Writes a restored file through the page cache (so the index it becomes starts with its pages
     * cached) and has the device write it behind the copy: each {@link #FLUSH_EVERY} bytes start a
     * {@link FlushBehind background fdatasync} once the previous one is done, so the device writes one
     * window while the copy fills the next, and no more than two windows are ever dirty, so no large
     * backlog's flush stalls other indexes' write-ahead-log fsyncs. The rest is made durable with
     * every other file of the restore ({@link DurableFiles#fsyncAll}).
     */
    private static final class Writeback {
        private final FileChannel out;
        private final FlushBehind flush;
        private long unflushed;

        Writeback(FileChannel out) {
            this.out = out;
            this.flush = new FlushBehind(out);
        }

        void write(byte[] bytes, int offset, int n) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(bytes, offset, n);
            while (bb.hasRemaining()) out.write(bb);
            unflushed += n;
            if (unflushed < FLUSH_EVERY) return;
            unflushed = 0;
            flush.start();
        }
    }

    private DamagedFileException mixed(String backupId, BackupManifest.FileEntry f, boolean backupEncrypted) {
        String blob = "blob " + repository.describe(f.sha256());
        return new DamagedFileException(backupEncrypted
                ? "File " + f.name() + " cannot be used: " + blob + " is stored unencrypted, but backup " + backupId
                        + " is encrypted, so the blob is not what was backed up (it was replaced in the repository, or an"
                        + " older Conifer rewrote this plaintext backup's manifest encrypted)"
                : "File " + f.name() + " cannot be used: " + blob + " is encrypted, but the manifest of backup " + backupId
                        + " is not, so the manifest was not written with this blob (a plaintext manifest may name only"
                        + " unencrypted blobs)");
    }

    private DamagedFileException quarantine(BackupManifest.FileEntry f, String stamp, String damage) throws IOException {
        repository.quarantine(f.sha256(), stamp, damage);
        return new DamagedFileException(damage + "; it was moved to the repository's quarantine/ directory");
    }

    private BackupRepository.StoredBlob open(BackupManifest.FileEntry f) throws IOException {
        try {
            return repository.openStored(f.sha256());
        } catch (NoSuchFileException e) {
            String why = "";
            for (BackupRepository.Quarantined q : repository.quarantined()) {
                if (q.sha256().equals(f.sha256())) why = "; it was found damaged at " + q.at() + " and quarantined as " + q.location();
            }
            throw new DamagedFileException("File " + f.name() + " is missing: blob " + repository.describe(f.sha256())
                    + " does not exist" + why);
        }
    }
}
