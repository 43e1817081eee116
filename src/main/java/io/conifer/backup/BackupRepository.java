package io.conifer.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where backups live: immutable blobs named by the SHA-256 of their content (so each file is stored
 * once, however many backups hold it) and one small manifest per backup. The local-disk
 * implementation is the default; an object store fills the same contract: a manifest write is atomic,
 * and a blob is visible under its name only once it is complete and durable.
 */
public interface BackupRepository extends Closeable {
    /** A blob written and verified but not yet visible under its name. */
    interface StagedBlob {
        String sha256();

        long length();

        int crc32c();
    }

    /**
     * Copies the file at {@code source} into a staging area, hashing it as it reads; when this returns
     * the copy is durable and has been read back and checked.
     */
    StagedBlob stage(Path source, Throttle throttle) throws IOException;

    /** Makes a staged blob visible under its hash (or drops it if that blob exists already). */
    void publish(StagedBlob blob) throws IOException;

    void discard(StagedBlob blob) throws IOException;

    boolean hasBlob(String sha256) throws IOException;

    InputStream openBlob(String sha256) throws IOException;

    long blobLength(String sha256) throws IOException;

    void deleteBlob(String sha256) throws IOException;

    Set<String> blobs() throws IOException;

    void putManifest(String backupId, byte[] json) throws IOException;

    Optional<byte[]> getManifest(String backupId) throws IOException;

    List<String> manifestIds() throws IOException;

    void deleteManifest(String backupId) throws IOException;

    /** Removes staging leftovers of writes a crash interrupted. */
    void cleanStaging() throws IOException;

    /** A human-readable location, for messages. */
    String describe(String sha256);

    /** Stops the repository's I/O threads; nothing is written after this. */
    @Override
    void close();
}
