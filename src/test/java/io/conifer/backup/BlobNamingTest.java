package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs named by their tree hash, checked by it on verify and restore, beside blobs of older backups
 * named by plain SHA-256, whose manifest entries carry no naming.
 */
class BlobNamingTest {
    private static final int LEAF = 2 << 20;

    @TempDir
    Path dir;

    @Test
    void aByteFlippedInAMiddleLeafFailsVerifyAndRestoreByName() throws Exception {
        byte[] data = new byte[5 * LEAF + 321];
        new Random(21).nextBytes(data);
        Path source = Files.write(dir.resolve("_0.vec"), data);
        long middle = 2L * LEAF + 777;
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            BackupManifest.FileEntry entry = stored(repo, source);
            assertEquals("sha256-tree-2m", entry.naming());
            assertEquals(TreeHashTest.reference(data), entry.sha256());
            BackupReader reader = new BackupReader(repo, Throttle.UNLIMITED);
            reader.verify(entry, n -> {});

            flip(repo, entry, middle);
            BackupReader.DamagedFileException verify = assertThrows(BackupReader.DamagedFileException.class,
                    () -> reader.verify(entry, n -> {}));
            assertTrue(verify.getMessage().contains("File _0.vec is corrupt") && verify.getMessage().contains("content hash"),
                    verify.getMessage());
            assertFalse(repo.hasBlob(entry.sha256()), "quarantined");

            // A later backup stores the content again under the same name; damaged again, a restore refuses it.
            assertEquals(entry, stored(repo, source));
            flip(repo, entry, middle);
            BackupReader.DamagedFileException restore = assertThrows(BackupReader.DamagedFileException.class,
                    () -> reader.materialize(S3BackupRepositoryTest.manifestOf(List.of(entry)), dir.resolve("restored"), n -> {}));
            assertTrue(restore.getMessage().contains("File _0.vec is corrupt"), restore.getMessage());
            assertFalse(repo.hasBlob(entry.sha256()), "quarantined");
        }
    }

    @Test
    void aBackupWrittenBeforeTreeNamesRestoresAndVerifiesByPlainSha256() throws Exception {
        byte[] data = new byte[3 * LEAF + 55];
        new Random(22).nextBytes(data);
        Path source = Files.write(dir.resolve("_1.vec"), data);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        String id = UUID.randomUUID().toString();
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            // The blob and manifest as an older version stored them: named by SHA-256, no naming in the entry.
            BackupRepository.StagedBlob old = repo.stage(source, Throttle.UNLIMITED, f -> BlobSource.plain(f, ContentHash.sha256()));
            assertEquals(sha256, old.sha256());
            repo.publish(old);
            String json = "{\"backup_id\":\"" + id + "\",\"project\":\"p\",\"name\":\"old\",\"status\":\"Ready\","
                    + "\"created_at\":\"2026-01-01T00:00:00.000Z\",\"source_index_name\":\"i\",\"source_index_id\":\"i\","
                    + "\"size_bytes\":" + data.length + ",\"files\":[{\"name\":\"_1.vec\",\"sha256\":\"" + sha256 + "\",\"length\":"
                    + data.length + ",\"crc32c\":" + old.crc32c() + ",\"lucene_checksum\":0}]}";
            repo.putManifest(id, json.getBytes(StandardCharsets.UTF_8));

            BackupManifest manifest = BackupManifest.fromJson(repo.getManifest(id).orElseThrow());
            assertNull(manifest.files().get(0).naming());
            RepositoryVerifier.Report report = new RepositoryVerifier(repo).verify(id, new RepositoryVerifier.ProgressBar(System.err, false));
            assertTrue(report.clean(), report.problems().toString());
            assertEquals(data.length, report.bytes());
            new BackupReader(repo, Throttle.UNLIMITED).materialize(manifest, dir.resolve("restored"), n -> {});
            assertArrayEquals(data, Files.readAllBytes(dir.resolve("restored").resolve("_1.vec")));

            // A new backup of the same content names it by its tree hash: a second blob, not a match.
            BackupRepository.StagedBlob fresh = repo.stage(source, Throttle.UNLIMITED);
            assertNotEquals(sha256, fresh.sha256());
            repo.discard(fresh);

            // The old entry is still checked by SHA-256: damage is found and named.
            flip(repo, manifest.files().get(0), LEAF + 9);
            report = new RepositoryVerifier(repo).verify(id, new RepositoryVerifier.ProgressBar(System.err, false));
            assertEquals(1, report.problems().size(), report.problems().toString());
            assertTrue(report.problems().get(0).contains("File _1.vec is corrupt"), report.problems().toString());
        }
    }

    @Test
    void anEntryOfAnUnknownNamingIsNotTakenForDamage() throws Exception {
        byte[] data = new byte[1000];
        new Random(23).nextBytes(data);
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            BackupManifest.FileEntry entry = stored(repo, Files.write(dir.resolve("_2.si"), data));
            BackupManifest.FileEntry future = new BackupManifest.FileEntry(entry.name(), entry.sha256(), entry.length(),
                    entry.crc32c(), 0, "blake3-tree-4m");
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> new BackupReader(repo, Throttle.UNLIMITED).verify(future, n -> {}));
            assertFalse(e instanceof BackupReader.DamagedFileException, e.toString());
            assertTrue(e.getMessage().contains("blake3-tree-4m"), e.getMessage());
            assertTrue(repo.hasBlob(entry.sha256()), "not quarantined");
        }
    }

    private static BackupManifest.FileEntry stored(LocalBackupRepository repo, Path source) throws Exception {
        BackupRepository.StagedBlob staged = repo.stage(source, Throttle.UNLIMITED);
        repo.publish(staged);
        return S3BackupRepositoryTest.entry(source.getFileName().toString(), staged);
    }

    private static void flip(LocalBackupRepository repo, BackupManifest.FileEntry entry, long at) throws Exception {
        try (RandomAccessFile blob = new RandomAccessFile(repo.describe(entry.sha256()), "rw")) {
            blob.seek(at);
            int b = blob.read();
            blob.seek(at);
            blob.write(b ^ 1);
        }
    }
}
