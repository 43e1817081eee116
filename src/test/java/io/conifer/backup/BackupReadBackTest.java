package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A local repository with and without {@code --backup-read-back}: the option decides only whether
 * blobs are read back from the device before a backup is Ready. Either way the backup restores to the
 * very bytes it read, verify passes, and a damaged blob is named by verify and refused by a restore.
 */
class BackupReadBackTest {
    private static final int RECORDS = 800;

    @ParameterizedTest(name = "read-back {0}")
    @ValueSource(booleans = {false, true})
    void backupsRestoreExactlyAndDamageIsCaughtEitherWay(boolean readBack, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        try (TestServer server = TestServer.startWith(data, c -> c.withBackupReadBack(readBack))) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http source = control.forHost(control.createDense("rb", 8, "cosine"));
            load(source);
            String first = backup(control);
            LocalBackupRepository local = (LocalBackupRepository) ((EncryptingRepository) server.server().backups().repository()).inner();
            BackupManifest manifest = BackupManifest.fromJson(local.getManifest(first).orElseThrow());
            long stored = manifest.files().stream().mapToLong(BackupManifest.FileEntry::length).sum();
            assertEquals(readBack ? stored : 0, local.bytesReadBack(), "bytes read back from the device");

            // Every file restored is the bytes the backup named it by while reading the index.
            Path restored = dir.resolve("materialized");
            new BackupReader(local, Throttle.UNLIMITED).materialize(manifest, restored, n -> {});
            for (BackupManifest.FileEntry f : manifest.files()) {
                assertEquals(f.sha256(), TreeHashTest.reference(Files.readAllBytes(restored.resolve(f.name()))), f.name());
            }
            assertEquals("Completed", Backups.restore(control, first, "rb-copy").get("status").asText());
            Http copy = control.forHost(control.get("/indexes/rb-copy").json().get("host").asText());
            assertEquals(view(source), view(copy));
            assertEquals(0, Backups.verify("--data-dir", data.toString()).exit());

            BackupManifest.FileEntry victim = flipAByteOfTheLargestFile(local, manifest);
            JsonNode failed = Backups.restore(control, first, "rb-rotten");
            assertEquals("Failed", failed.get("status").asText(), failed.toString());
            String reason = failed.get("failure_reason").asText();
            assertTrue(reason.contains("File " + victim.name() + " is corrupt") && reason.contains("CRC32C"), reason);
            assertFalse(local.hasBlob(victim.sha256()), "quarantined");

            // The next backup stores the quarantined content afresh; damage to that copy is verify's to find.
            String second = backup(control);
            BackupManifest.FileEntry again = flipAByteOfTheLargestFile(local, BackupManifest.fromJson(local.getManifest(second).orElseThrow()));
            assertEquals(victim.sha256(), again.sha256());
            Backups.Verified v = Backups.verify(second, "--data-dir", data.toString());
            assertEquals(1, v.exit(), v.out());
            assertTrue(v.out().contains("File " + again.name() + " is corrupt"), v.out());
        }
    }

    private static void load(Http d) {
        for (int from = 0; from < RECORDS; from += 200) {
            StringBuilder b = new StringBuilder("{\"vectors\":[");
            for (int i = from; i < from + 200; i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[");
                for (int j = 0; j < 8; j++) b.append(j == 0 ? "" : ",").append(((i * 7919L + j * 31L) % 1000) / 100.0 + 0.01);
                b.append("]}");
            }
            assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
        }
    }

    /** What a client reads of the index: its stats and every record's values. */
    private static String view(Http d) {
        StringBuilder out = new StringBuilder(d.post("/describe_index_stats", "{}").json().toString());
        for (int from = 0; from < RECORDS; from += 100) {
            StringBuilder q = new StringBuilder("/vectors/fetch?");
            for (int i = from; i < from + 100; i++) q.append("&ids=r").append(i);
            JsonNode vectors = d.get(q.toString()).json().get("vectors");
            for (int i = from; i < from + 100; i++) out.append('\n').append(vectors.get("r" + i));
        }
        return out.toString();
    }

    private static String backup(Http control) throws InterruptedException {
        String id = control.post("/indexes/rb/backups", "{}").json().get("backup_id").asText();
        Backups.awaitStatus(control, id, "Ready");
        return id;
    }

    private static BackupManifest.FileEntry flipAByteOfTheLargestFile(LocalBackupRepository repo, BackupManifest m)
            throws Exception {
        BackupManifest.FileEntry victim = m.files().stream().max((x, y) -> Long.compare(x.length(), y.length())).orElseThrow();
        try (FileChannel ch = FileChannel.open(Path.of(repo.describe(victim.sha256())), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, victim.length() / 2);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            ch.write(one, victim.length() / 2);
        }
        return victim;
    }
}
