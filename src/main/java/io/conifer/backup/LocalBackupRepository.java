package io.conifer.backup;

import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * A repository in a local directory: {@code blobs/ab/abcdef…} (by SHA-256), {@code manifests/ID.json},
 * {@code staging/} for writes in progress. Every write goes to staging, is fsynced, and is moved into
 * place atomically (then the directory is fsynced), so a crash never leaves a partial blob or manifest
 * under a real name.
 */
public final class LocalBackupRepository implements BackupRepository {
    /**
     * Forcing written data out as it goes keeps the page cache from accumulating a large dirty backlog
     * whose eventual flush would stall the write-ahead log's small fsyncs (and so upsert latency).
     */
    private static final long FLUSH_EVERY = 4L << 20;
    private static final int BUFFER = 1 << 20;
    private final Path root;
    private final Path blobs;
    private final Path manifests;
    private final Path staging;

    public LocalBackupRepository(Path root) throws IOException {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.manifests = root.resolve("manifests");
        this.staging = root.resolve("staging");
        Files.createDirectories(blobs);
        Files.createDirectories(manifests);
        Files.createDirectories(staging);
    }

    public Path root() {
        return root;
    }

    private record Staged(Path file, String sha256, long length, int crc32c) implements StagedBlob {}

    @Override
    public StagedBlob stage(InputStream source, Throttle throttle) throws IOException {
        Path tmp = staging.resolve(UUID.randomUUID() + ".blob");
        MessageDigest sha = sha256();
        CRC32C crc = new CRC32C();
        long length = 0;
        byte[] buf = new byte[BUFFER];
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = source.readNBytes(buf, 0, buf.length)) > 0; ) {
                throttle.acquire(n);
                sha.update(buf, 0, n);
                crc.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) out.write(bb);
                length += n;
                if (length % FLUSH_EVERY < n) out.force(false);
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        int expected = (int) crc.getValue();
        int written = crc32c(tmp);
        if (written != expected) {
            Files.deleteIfExists(tmp);
            throw new IOException("Verification failed after writing a blob: CRC32C " + Integer.toHexString(written)
                    + " on disk, " + Integer.toHexString(expected) + " sent");
        }
        return new Staged(tmp, HexFormat.of().formatHex(sha.digest()), length, expected);
    }

    static int crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) > 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return (int) crc.getValue();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void publish(StagedBlob blob) throws IOException {
        Staged s = (Staged) blob;
        Path target = blobPath(s.sha256());
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            Files.deleteIfExists(s.file());
            return;
        }
        try {
            Files.move(s.file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(s.file());
            return;
        }
        DurableFiles.fsyncDirectory(target.getParent());
    }

    @Override
    public void discard(StagedBlob blob) throws IOException {
        Files.deleteIfExists(((Staged) blob).file());
    }

    private Path blobPath(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a SHA-256: " + sha256);
        return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public boolean hasBlob(String sha256) {
        return Files.exists(blobPath(sha256));
    }

    @Override
    public InputStream openBlob(String sha256) throws IOException {
        return Files.newInputStream(blobPath(sha256));
    }

    /** The blob's file, for restores that copy within one file system. */
    public Path blobFile(String sha256) {
        return blobPath(sha256);
    }

    @Override
    public long blobLength(String sha256) throws IOException {
        return Files.size(blobPath(sha256));
    }

    @Override
    public void deleteBlob(String sha256) throws IOException {
        Files.deleteIfExists(blobPath(sha256));
    }

    @Override
    public Set<String> blobs() throws IOException {
        Set<String> out = new TreeSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(blobs)) {
            for (Path d : dirs) {
                if (!Files.isDirectory(d)) continue;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                    for (Path f : files) out.add(f.getFileName().toString());
                }
            }
        }
        return out;
    }

    @Override
    public void putManifest(String backupId, byte[] json) throws IOException {
        DurableFiles.writeAtomically(manifestPath(backupId), json);
    }

    @Override
    public Optional<byte[]> getManifest(String backupId) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(manifestPath(backupId)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> manifestIds() throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(manifests, "*.json")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                ids.add(n.substring(0, n.length() - ".json".length()));
            }
        }
        return ids;
    }

    @Override
    public void deleteManifest(String backupId) throws IOException {
        Files.deleteIfExists(manifestPath(backupId));
        DurableFiles.fsyncDirectory(manifests);
    }

    private Path manifestPath(String backupId) {
        if (!backupId.matches("[0-9a-f-]{36}")) throw new IllegalArgumentException("not a backup id: " + backupId);
        return manifests.resolve(backupId + ".json");
    }

    @Override
    public void cleanStaging() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
            for (Path f : files) Files.deleteIfExists(f);
        }
    }

    @Override
    public String describe(String sha256) {
        return blobPath(sha256).toString();
    }
}
