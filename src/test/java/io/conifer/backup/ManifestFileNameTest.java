package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.index.CommitGate;
import io.conifer.index.IndexManager;
import io.conifer.restore.RestoreService;
import io.conifer.vectors.VectorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest is read from a repository others may write to: a file name in it that is no Lucene file
 * name ({@code ../x}, an absolute path) must never make a restore write outside the new index's directory.
 */
class ManifestFileNameTest {
    @TempDir
    Path dir;

    @Test
    void aPlantedManifestNamingAPathOutsideTheIndexIsFailedAndRestoresNothing() throws Exception {
        Path root = dir.resolve("repo");
        IndexManager indexes = BackupFixtures.indexes(dir);
        BackupService backups = null;
        RestoreService restores = null;
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            backups = BackupFixtures.backups(dir, new LocalBackupRepository(root), indexes, CommitGate.OPEN);
            String id = backups.create("p", "docs", "b", null).backupId();
            assertEquals(BackupStatus.Ready, BackupFixtures.settled(backups, id));
            backups.close();
            backups = null;

            // Each planted backup is the real one with one file renamed: its blob is intact, so only the
            // name stands between the restore and a write wherever the name points.
            List<String> badNames = List.of("../../escaped-relative", dir.resolve("escaped-absolute").toString(), "..");
            List<String> planted = new ArrayList<>();
            try (LocalBackupRepository local = new LocalBackupRepository(root)) {
                byte[] json = local.getManifest(id).orElseThrow();
                for (String bad : badNames) {
                    ObjectMapper mapper = new ObjectMapper();
                    ObjectNode m = (ObjectNode) mapper.readTree(json);
                    String plantedId = UUID.randomUUID().toString();
                    m.put("backup_id", plantedId);
                    ((ObjectNode) m.withArray("files").get(0)).put("name", bad);
                    local.putManifest(plantedId, mapper.writeValueAsBytes(m));
                    planted.add(plantedId);
                }
            }

            backups = BackupFixtures.backups(dir, new LocalBackupRepository(root), indexes, CommitGate.OPEN);
            restores = new RestoreService(dir.resolve("restore-jobs.json"), backups, indexes, Throttle.UNLIMITED);
            restores.start();
            assertEquals(BackupStatus.Ready, backups.describe("p", id).status(), "the sound backup is untouched");
            for (int i = 0; i < planted.size(); i++) {
                String plantedId = planted.get(i);
                BackupManifest seen = backups.describe("p", plantedId);
                assertEquals(BackupStatus.Failed, seen.status(), badNames.get(i));
                assertTrue(seen.failureReason().contains(badNames.get(i)), seen.failureReason());
                RestoreService started = restores;
                String target = "restored-" + i;
                assertThrows(BackupNotReadyException.class, () -> started.create("p", plantedId, target, null, null, null));
            }
            assertNoEscapedFile();
            // The server still deletes what was planted, as any Failed backup.
            for (String plantedId : planted) backups.delete("p", plantedId);
        } finally {
            if (restores != null) restores.close();
            if (backups != null) backups.close();
            indexes.close();
        }
    }

    /**
     * A file in the manifest folder that no backup wrote (not named by a backup id) is no backup: read as
     * a damaged one, it stopped every server sharing the repository from removing unused blobs.
     */
    @Test
    void aStrayFileInTheManifestFolderNeitherListsNorKeepsUnusedBlobs() throws Exception {
        Path root = dir.resolve("repo");
        IndexManager indexes = BackupFixtures.indexes(dir);
        LocalBackupRepository local = new LocalBackupRepository(root);
        Files.writeString(root.resolve("manifests").resolve("notes.json"), "{\"not\":\"a manifest\"}");
        BackupService backups = null;
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            backups = BackupFixtures.backups(dir, local, indexes, CommitGate.OPEN);
            String id = backups.create("p", "docs", "b", null).backupId();
            assertEquals(BackupStatus.Ready, BackupFixtures.settled(backups, id));
            assertEquals(List.of(id), backups.list("p").stream().map(BackupManifest::backupId).toList());
            assertTrue(new RepositoryVerifier(local).verify(null, new RepositoryVerifier.ProgressBar(System.err, false)).clean(),
                    "backup verify agrees with the server: the stray file is no damaged backup");
            assertFalse(local.blobs().isEmpty());
            backups.delete("p", id);
            assertEquals(Set.of(), local.blobs(), "the deleted backup's blobs were kept");
            assertTrue(Files.exists(root.resolve("manifests").resolve("notes.json")), "the stray file is left alone");
        } finally {
            if (backups != null) backups.close();
            indexes.close();
        }
    }

    /** Defence in depth: a manifest that never went through {@link BackupManifest#fromJson} is checked again on restore. */
    @Test
    void theReaderRefusesAFileNameThatLeavesTheTarget() throws Exception {
        Path source = Files.write(dir.resolve("source"), footered(5000));
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            BackupRepository.StagedBlob blob = repo.stage(source, Throttle.UNLIMITED);
            repo.publish(blob);
            for (String bad : List.of("../escaped-relative", dir.resolve("escaped-absolute").toString())) {
                BackupManifest.FileEntry entry = new BackupManifest.FileEntry(bad, blob.sha256(), blob.length(), blob.crc32c(),
                        0, blob.naming());
                Path target = dir.resolve("restore").resolve("index");
                IOException e = assertThrows(IOException.class, () -> new BackupReader(repo, Throttle.UNLIMITED)
                        .materialize(S3BackupRepositoryTest.manifestOf(List.of(entry)), target, n -> {}));
                assertTrue(e.getMessage().contains(bad), e.getMessage());
            }
        }
        assertNoEscapedFile();
    }

    /** A file of {@code size} bytes with a valid Lucene footer (a repository refuses anything else). */
    private static byte[] footered(int size) {
        byte[] b = new byte[size];
        new java.util.Random(7).nextBytes(b);
        java.nio.ByteBuffer footer = java.nio.ByteBuffer.wrap(b, size - 16, 16);
        footer.putInt(org.apache.lucene.codecs.CodecUtil.FOOTER_MAGIC).putInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, size - 8);
        footer.putLong(crc.getValue());
        return b;
    }

    private void assertNoEscapedFile() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            List<Path> escaped = all.filter(p -> p.getFileName().toString().startsWith("escaped-")).toList();
            assertTrue(escaped.isEmpty(), "a restore wrote outside its index: " + escaped);
        }
        assertFalse(Files.exists(dir.resolve("escaped-absolute")));
    }
}
