package io.conifer.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where backups live: immutable blobs named by a hash of their content (so each file is stored
 * once, however many backups hold it: the {@link TreeHash} (plain SHA-256 in older backups), or an HMAC when {@link EncryptingRepository}
 * encrypts them) and one small manifest per backup. The local-disk
 * implementation is the default; an object store fills the same contract: a manifest write is atomic,
 * and a blob is visible under its name only once it is complete and durable.
 */
public interface BackupRepository extends Closeable {
    /** A blob written durably (and checked, as {@link #stage} says) but not yet visible under its name. */
    interface StagedBlob {
        String sha256();

        /** How the name was computed ({@link BlobSource#naming}). */
        String naming();

        long length();

        int crc32c();
    }

    /**
     * Stores the file at {@code source} as {@code encoding} gives it into a staging area, under the
     * name it gives; when this returns the copy is durable, and checked where the store checks it: a
     * local repository opened with read-back has read it back from the device, an object store has
     * checked it against the checksum sent. A source with a Lucene footer is refused if its bytes do not
     * match the footer's checksum ({@link FooterCheck}). {@link StagedBlob#length} is the file's length,
     * {@link StagedBlob#crc32c} that of the bytes written, which restores check the blob against.
     */
    StagedBlob stage(Path source, Throttle throttle, BlobEncoding encoding) throws IOException;

    /** Stages the file as it is, named by its {@link TreeHash}. */
    default StagedBlob stage(Path source, Throttle throttle) throws IOException {
        return stage(source, throttle, BlobEncoding.PLAIN);
    }

    /**
     * Makes a staged blob visible under its hash, atomically replacing any blob already there (whose
     * content, if intact, is the same), and returns the new blob's {@link #blobStamp}.
     */
    String publish(StagedBlob blob) throws IOException;

    void discard(StagedBlob blob) throws IOException;

    boolean hasBlob(String sha256) throws IOException;

    /**
     * A token for the blob's stored bytes as they stand now, or empty if it is missing: it changes
     * whenever the blob is written to, replaced or removed (a file's inode, size, mtime and ctime; an
     * object store's ETag), so a blob verified under one stamp is unchanged while the stamp is.
     */
    Optional<String> blobStamp(String sha256) throws IOException;

    /**
     * Moves a blob found damaged out of the repository (never deleting it) with the reason, so that the
     * next backup holding the same content stores it afresh. Does nothing if the blob's stamp is no
     * longer {@code stamp} (it was replaced meanwhile by a verified copy).
     */
    void quarantine(String sha256, String stamp, String reason) throws IOException;

    /** A blob moved aside by {@link #quarantine}: where it is now, when and why. */
    record Quarantined(String sha256, String location, String at, String reason) {}

    List<Quarantined> quarantined() throws IOException;

    /** The blob's content. */
    InputStream openBlob(String sha256) throws IOException;

    /**
     * A blob's bytes as stored (as {@link #decode} takes them) and its {@link #blobStamp} as of this
     * opening, or a null stamp when the bytes are not this server's own blob (nor ever quarantined by it).
     */
    record StoredBlob(InputStream bytes, String stamp) {}

    /** Opens a blob's stored bytes with their stamp; a store whose read answers with the stamp overrides this to save a look-up. */
    default StoredBlob openStored(String sha256) throws IOException {
        // Taken before opening: a blob replaced by a fresh copy after this has another stamp, so a
        // quarantine under this one leaves the fresh copy alone.
        String stamp = blobStamp(sha256).orElse(null);
        return new StoredBlob(openBlob(sha256), stamp);
    }

    /**
     * A blob's content and the hash that must name it, for a reader that checks it. {@code asStored}:
     * the content is the stored bytes themselves (not decrypted), so the CRC32C a manifest recorded of
     * the stored bytes checks it too.
     */
    record BlobContent(InputStream content, ContentHash nameHash, boolean asStored) {}

    /**
     * The content of a blob from its {@link #openStored stored bytes}: here stored as it is, named as
     * {@code naming} (the manifest entry's) says.
     */
    default BlobContent decode(String sha256, String naming, InputStream stored) throws IOException {
        return new BlobContent(stored, ContentHash.forNaming(naming), true);
    }

    long blobLength(String sha256) throws IOException;

    void deleteBlob(String sha256) throws IOException;

    Set<String> blobs() throws IOException;

    /**
     * Stores a manifest durably in two checksummed copies, written one after the other: the primary,
     * then the copy. {@link #readManifest} reads them the other way round, so a sound primary is never
     * older than the copy read with it, even while another server rewrites the manifest.
     */
    void putManifest(String backupId, byte[] json) throws IOException;

    /**
     * Rewrites only the copy, for a repair whose primary was sound: rewriting the primary too could put
     * back an older manifest over a newer one another server wrote meanwhile (a Ready one, say), where a
     * stale copy is outweighed by the primary at the next read.
     */
    void putManifestCopy(String backupId, byte[] json) throws IOException;

    /**
     * A manifest as read: the JSON of a copy whose checksum holds, what is wrong with the other copy
     * (missing, damaged or older), or null when both are sound and equal, and whether the JSON is the
     * primary's (a repair then rewrites only the copy).
     */
    record ManifestRead(byte[] json, String damage, boolean fromPrimary) {}

    /** Reading a manifest of which no copy is sound; {@code salvage} is the longest damaged body. */
    final class DamagedManifestException extends IOException {
        private final transient byte[] salvage;

        public DamagedManifestException(String message, byte[] salvage) {
            super(message);
            this.salvage = salvage;
        }

        public byte[] salvage() {
            return salvage;
        }
    }

    /** Empty if the backup has no manifest; {@link DamagedManifestException} if no copy is sound. */
    Optional<ManifestRead> readManifest(String backupId) throws IOException;

    default Optional<byte[]> getManifest(String backupId) throws IOException {
        return readManifest(backupId).map(ManifestRead::json);
    }

    /**
     * Whether the manifest of {@code backupId}, as last read or written through this repository, is
     * stored encrypted: the blobs an encrypted manifest names must be encrypted, and those a plaintext
     * one names plaintext ({@link BackupReader} refuses either mix). Empty where this repository does
     * not know, as one that encrypts nothing.
     */
    default Optional<Boolean> manifestEncrypted(String backupId) {
        return Optional.empty();
    }

    List<String> manifestIds() throws IOException;

    void deleteManifest(String backupId) throws IOException;

    /**
     * Whether other servers may use this repository too: then backups appear, change and disappear in
     * it that this server did not make, and an {@code Initializing} one may be another's copy in progress.
     */
    default boolean shared() {
        return false;
    }

    /** Removes staging leftovers of writes a crash interrupted. */
    void cleanStaging() throws IOException;

    /** A human-readable location, for messages. */
    String describe(String sha256);

    /** Stops the repository's I/O threads; nothing is written after this. */
    @Override
    void close();
}
