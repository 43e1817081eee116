package io.conifer.backup;

import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A repository in a local directory: {@code blobs/ab/abcdef…} (by SHA-256), {@code manifests/ID.json},
 * {@code staging/} for writes in progress. Every write goes to staging, is fsynced, and is moved into
 * place atomically (then the directory is fsynced), so a crash never leaves a partial blob or manifest
 * under a real name.
 */
public final class LocalBackupRepository implements BackupRepository {
    private final Path blobs;
    private final Path manifests;
    private final Path staging;
    private final DirectCopy copier = new DirectCopy();

    public LocalBackupRepository(Path root) throws IOException {
        this.blobs = root.resolve("blobs");
        this.manifests = root.resolve("manifests");
        this.staging = root.resolve("staging");
        Files.createDirectories(blobs);
        Files.createDirectories(manifests);
        Files.createDirectories(staging);
    }

    private record Staged(Path file, String sha256, long length, int crc32c) implements StagedBlob {}

    @Override
    public StagedBlob stage(Path source, Throttle throttle) throws IOException {
        Path tmp = staging.resolve(UUID.randomUUID() + ".blob");
        DirectCopy.Result r = copier.copy(source, tmp, throttle);
        return new Staged(tmp, r.sha256(), r.length(), r.crc32c());
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

    @Override
    public void close() {
        copier.close();
    }
}
