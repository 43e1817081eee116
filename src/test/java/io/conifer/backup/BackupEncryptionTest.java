package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.server.StartupFailure;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups encrypted at rest, through the real server, its repository on disk and {@code conifer backup verify}. */
class BackupEncryptionTest {
    private static final String MARKER = "plaintext-marker-7f3a9c";
    /** A vector whose float bytes are searched for in the repository. */
    private static final float[] PROBE = {1.2345678f, -7.654321f, 3.1415927f, 2.7182817f};

    @TempDir
    Path dir;

    private Path keyA;
    private Path keyB;

    private void writeKeys() throws Exception {
        byte[] a = new byte[32];
        new java.security.SecureRandom().nextBytes(a);
        keyA = Files.write(dir.resolve("a.key"), a);
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        keyB = Files.writeString(dir.resolve("b.key"), HexFormat.of().formatHex(b) + "\n");
    }

    private TestServer start(Path data, Path encryption, Path... decryption) throws Exception {
        return TestServer.startWith(data, c -> c.withBackupKeys(encryption, List.of(decryption)));
    }

    private static Http loadIndex(Http control, String name, int records) {
        Http d = control.forHost(control.createDense(name, 4, "euclidean"));
        StringBuilder b = new StringBuilder("{\"vectors\":[{\"id\":\"probe\",\"values\":" + Arrays.toString(PROBE)
                + ",\"metadata\":{\"note\":\"" + MARKER + "\"}}");
        for (int i = 0; i < records; i++) {
            b.append(",{\"id\":\"r").append(i).append("\",\"values\":[").append(i % 7).append(",").append(i % 11)
                    .append(",1,").append(i % 3).append("],\"metadata\":{\"i\":").append(i).append("}}");
        }
        assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
        return d;
    }

    private static String backup(Http control, String index) throws Exception {
        String id = control.post("/indexes/" + index + "/backups", "{}").json().get("backup_id").asText();
        Backups.awaitStatus(control, id, "Ready");
        return id;
    }

    /** Starts a server with {@code key}, backs up a new index of 40 records, stops it, and returns the backup id. */
    private String backupOnAServer(Path data, Path key, String index) throws Exception {
        try (TestServer server = start(data, key)) {
            Http control = new Http(server.url(), TestServer.KEY);
            loadIndex(control, index, 40);
            return backup(control, index);
        }
    }

    /** The probe record as the restored index serves it. */
    private static JsonNode probeOf(Http control, String index) {
        Http d = control.forHost(control.get("/indexes/" + index).json().get("host").asText());
        return d.get("/vectors/fetch?ids=probe").json().get("vectors").get("probe");
    }

    private static List<Path> repositoryFiles(Path data) throws Exception {
        try (Stream<Path> files = Files.walk(data.resolve("backups"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }

    private static byte[] probeBytes() {
        ByteBuffer b = ByteBuffer.allocate(PROBE.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : PROBE) b.putFloat(f);
        return b.array();
    }

    @Test
    void encryptedBackupRestoresTheSameDataAndStoresNoPlaintext() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        // Without encryption the marker and the vector's bytes are in the repository: the check below can fail.
        try (TestServer plain = TestServer.start(dir.resolve("plain"))) {
            Http control = new Http(plain.url(), TestServer.KEY);
            loadIndex(control, "plain-src", 50);
            backup(control, "plain-src");
            assertTrue(repositoryHolds(dir.resolve("plain"), MARKER.getBytes(StandardCharsets.UTF_8)));
            assertTrue(repositoryHolds(dir.resolve("plain"), probeBytes()));
            assertTrue(repositoryHolds(dir.resolve("plain"), "plain-src".getBytes(StandardCharsets.UTF_8)));
        }
        try (TestServer server = start(data, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            loadIndex(control, "secret-src", 50);
            String id = backup(control, "secret-src");
            for (byte[] plaintext : List.of(MARKER.getBytes(StandardCharsets.UTF_8), probeBytes(),
                    "secret-src".getBytes(StandardCharsets.UTF_8), "\"files\"".getBytes(StandardCharsets.UTF_8))) {
                assertFalse(repositoryHolds(data, plaintext), new String(plaintext, StandardCharsets.ISO_8859_1));
            }
            String keyId = BackupKey.load(keyA).id();
            for (Path f : repositoryFiles(data)) {
                if (f.toString().contains("manifests")) continue;
                assertEquals(keyId, keyIdOf(Files.readAllBytes(f)), "every blob is encrypted under key A: " + f);
            }
            JsonNode job = Backups.restore(control, id, "secret-copy");
            assertEquals("Completed", job.get("status").asText(), job.toString());
            JsonNode probe = probeOf(control, "secret-copy");
            assertEquals(MARKER, probe.get("metadata").get("note").asText());
            for (int i = 0; i < PROBE.length; i++) assertEquals(PROBE[i], probe.get("values").get(i).floatValue());
            Http copy = control.forHost(control.get("/indexes/secret-copy").json().get("host").asText());
            assertEquals(51, copy.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        }
        assertEquals(0, Backups.verify("--data-dir", data.toString(), "--backup-encryption-key-file", keyA.toString()).exit());
    }

    private static boolean repositoryHolds(Path data, byte[] plaintext) throws Exception {
        for (Path f : repositoryFiles(data)) if (contains(Files.readAllBytes(f), plaintext)) return true;
        return false;
    }

    private static String keyIdOf(byte[] stored) {
        assertTrue(EncryptedBlobs.isEncrypted(stored, stored.length), "encrypted");
        return HexFormat.of().formatHex(stored, 8, 16);
    }

    /**
     * Blob names come from the content, not the random salt: after a restart nothing is trusted unread,
     * so every file is encrypted afresh (new salts), yet each lands under the name it had. Only the
     * segments file, which every export writes anew, may be new.
     */
    @Test
    void encryptedBackupsOfUnchangedDataDeduplicate() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        try (TestServer server = start(data, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            loadIndex(control, "dedup", 200);
            BackupRepository repo = server.server().backups().repository();
            Map<String, String> first = blobsByFile(repo, backup(control, "dedup"));
            Set<String> afterFirst = repo.blobs();
            Map<String, String> second = blobsByFile(repo, backup(control, "dedup"));
            assertNewBlobsAreOnlySegmentsFiles(afterFirst, repo.blobs(), second);
            server.restart();
            repo = server.server().backups().repository();
            Set<String> beforeThird = repo.blobs();
            Map<String, String> third = blobsByFile(repo, backup(control, "dedup"));
            assertNewBlobsAreOnlySegmentsFiles(beforeThird, repo.blobs(), third);
            for (String file : first.keySet()) {
                if (!file.startsWith("segments")) assertEquals(first.get(file), third.get(file), file);
            }
        }
    }

    private static Map<String, String> blobsByFile(BackupRepository repo, String backupId) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (BackupManifest.FileEntry f : BackupManifest.fromJson(repo.getManifest(backupId).orElseThrow()).files()) {
            out.put(f.name(), f.sha256());
        }
        return out;
    }

    private static void assertNewBlobsAreOnlySegmentsFiles(Set<String> before, Set<String> after, Map<String, String> backup) {
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        Set<String> segments = new TreeSet<>();
        backup.forEach((file, blob) -> {
            if (file.startsWith("segments")) segments.add(blob);
        });
        assertTrue(segments.containsAll(added), "new blobs " + added + " of backup " + backup);
        assertTrue(backup.size() > 3, "the backup holds more than a segments file: " + backup);
    }

    @Test
    void aWrongOrMissingKeyIsAClearErrorOnRestoreAndVerify() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        String id = backupOnAServer(data, keyA, "locked");
        try (TestServer server = start(data, keyB)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http.Response r = control.post("/backups/" + id + "/create-index", "{\"name\":\"unlocked\"}");
            assertEquals(412, r.status(), r.toString());
            assertTrue(r.json().get("error").get("message").asText().contains("backup " + id), r.toString());
            assertTrue(r.json().get("error").get("message").asText().contains("does not match"), r.toString());
            assertEquals(412, control.get("/backups/" + id).status());
            assertEquals(404, control.get("/indexes/unlocked").status(), "nothing was restored");
        }
        try (TestServer server = TestServer.start(data)) {
            Http.Response r = new Http(server.url(), TestServer.KEY).post("/backups/" + id + "/create-index", "{\"name\":\"x\"}");
            assertEquals(412, r.status(), r.toString());
            assertTrue(r.json().get("error").get("message").asText().contains("no backup key was given"), r.toString());
        }
        Backups.Verified wrong = Backups.verify("--data-dir", data.toString(), "--backup-encryption-key-file", keyB.toString());
        assertEquals(1, wrong.exit(), wrong.out());
        assertTrue(wrong.out().contains("Backup " + id) && wrong.out().contains("does not match"), wrong.out());
        Backups.Verified missing = Backups.verify("--data-dir", data.toString());
        assertEquals(1, missing.exit(), missing.out());
        assertTrue(missing.out().contains("Backup " + id) && missing.out().contains("no backup key was given"), missing.out());
        // A key file that is not a 256-bit key stops the server before it opens anything, and verify too.
        Path bad = Files.writeString(dir.resolve("bad.key"), "not a key");
        StartupFailure e = assertThrows(StartupFailure.class, () -> start(dir.resolve("other"), bad));
        assertTrue(e.getMessage().contains("not a 256-bit key"), e.getMessage());
        assertEquals(2, Backups.verify("--data-dir", data.toString(), "--backup-encryption-key-file", bad.toString()).exit());
    }

    @Test
    void tamperedCiphertextIsNamedByVerifyAndRefusedByRestore() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        try (TestServer server = start(data, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            loadIndex(control, "tamper", 300);
            String id = backup(control, "tamper");
            BackupManifest m = BackupManifest.fromJson(server.server().backups().repository().getManifest(id).orElseThrow());
            List<BackupManifest.FileEntry> bySize = new ArrayList<>(m.files());
            bySize.sort((x, y) -> Long.compare(y.length(), x.length()));

            BackupManifest.FileEntry first = bySize.get(0);
            flipAByte(data, first);
            JsonNode job = Backups.restore(control, id, "tamper-copy");
            assertEquals("Failed", job.get("status").asText(), job.toString());
            assertTrue(job.get("failure_reason").asText().contains("File " + first.name() + " is corrupt"), job.toString());
            assertTrue(job.get("failure_reason").asText().contains("fails authentication"), job.toString());
            assertEquals(404, control.get("/indexes/tamper-copy").status(), "no half-restored index");

            BackupManifest.FileEntry second = bySize.get(1);
            flipAByte(data, second);
            Backups.Verified r = Backups.verify(id, "--data-dir", data.toString(), "--backup-encryption-key-file", keyA.toString());
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("File " + second.name() + " is corrupt"), r.out());
            assertTrue(r.out().contains(second.sha256()) && r.out().contains("fails authentication"), r.out());
        }
    }

    private static void flipAByte(Path data, BackupManifest.FileEntry f) throws Exception {
        Path blob = data.resolve("backups/blobs").resolve(f.sha256().substring(0, 2)).resolve(f.sha256());
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long at = ch.size() / 2;
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            ch.write(one, at);
        }
    }

    /**
     * Rotation: the new key encrypts new backups while the old one, given as a decryption key, still
     * reads the backups it encrypted; once the old key is dropped only those fail.
     */
    @Test
    void rotatedKeysKeepOldBackupsRestorable() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        String old = backupOnAServer(data, keyA, "rot");
        String fresh;
        try (TestServer server = start(data, keyB, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            assertEquals("Ready", control.get("/backups/" + old).json().get("status").asText());
            fresh = backup(control, "rot");
            assertEquals(BackupKey.load(keyB).id(), keyIdOf(stripManifestHeader(data, fresh)));
            assertEquals(BackupKey.load(keyA).id(), keyIdOf(stripManifestHeader(data, old)));
            BackupManifest m = BackupManifest.fromJson(server.server().backups().repository().getManifest(fresh).orElseThrow());
            for (BackupManifest.FileEntry f : m.files()) {
                byte[] blob = Files.readAllBytes(data.resolve("backups/blobs").resolve(f.sha256().substring(0, 2)).resolve(f.sha256()));
                assertEquals(BackupKey.load(keyB).id(), keyIdOf(blob), "the new backup's blobs are under the new key");
            }
            JsonNode job = Backups.restore(control, old, "rot-old");
            assertEquals("Completed", job.get("status").asText(), job.toString());
            assertEquals(MARKER, probeOf(control, "rot-old").get("metadata").get("note").asText());
        }
        assertEquals(0, Backups.verify("--data-dir", data.toString(), "--backup-encryption-key-file", keyB.toString(),
                "--backup-decryption-key-file", keyA.toString()).exit());
        try (TestServer server = start(data, keyB)) {
            Http control = new Http(server.url(), TestServer.KEY);
            assertEquals(412, control.get("/backups/" + old).status());
            JsonNode job = Backups.restore(control, fresh, "rot-new");
            assertEquals("Completed", job.get("status").asText(), job.toString());
            assertNotEquals(old, fresh);
        }
    }

    /**
     * The attack on an encrypted backup without its key: the manifest's CRC32C of a blob is that of the
     * stored ciphertext, which anyone who reads the repository can compute, so plaintext of the same length
     * with that CRC32C and a valid Lucene footer is easy to forge. It must never be restored as data.
     */
    @Test
    void forgedPlaintextInPlaceOfAnEncryptedBlobIsRefused() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        try (TestServer server = start(data, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            loadIndex(control, "forged", 300);
            String id = backup(control, "forged");
            BackupRepository repo = server.server().backups().repository();
            BackupManifest m = BackupManifest.fromJson(repo.getManifest(id).orElseThrow());
            BackupManifest.FileEntry f = m.files().stream().filter(e -> !e.name().startsWith("segments"))
                    .max((x, y) -> Long.compare(x.length(), y.length())).orElseThrow();
            Path blob = blobPath(data, f);
            assertEquals(f.crc32c(), crc32c(Files.readAllBytes(blob)), "the recorded CRC32C is the ciphertext's");
            byte[] plain;
            try (InputStream in = repo.openBlob(f.sha256())) {
                plain = in.readAllBytes();
            }
            Files.write(blob, forge(plain, f.crc32c()));

            BackupReader.DamagedFileException e = assertThrows(BackupReader.DamagedFileException.class,
                    () -> new BackupReader(repo, Throttle.UNLIMITED).materialize(m, dir.resolve("scratch"), n -> {}));
            assertTrue(e.getMessage().contains("File " + f.name()) && e.getMessage().contains("unencrypted"), e.getMessage());
            JsonNode job = Backups.restore(control, id, "forged-copy");
            assertEquals("Failed", job.get("status").asText(), job.toString());
            assertTrue(job.get("failure_reason").asText().contains("File " + f.name()), job.toString());
            assertTrue(job.get("failure_reason").asText().contains("unencrypted"), job.toString());
            assertEquals(404, control.get("/indexes/forged-copy").status(), "no half-restored index");
            Backups.Verified r = Backups.verify(id, "--data-dir", data.toString(), "--backup-encryption-key-file", keyA.toString());
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("File " + f.name()) && r.out().contains("unencrypted"), r.out());
        }
    }

    /**
     * A plaintext manifest stays readable (backups from before encryption was turned on), so anyone who
     * can write the repository can plant one; it must not pass off the encrypted blobs of a real backup
     * as its own.
     */
    @Test
    void aPlantedPlaintextManifestCannotClaimEncryptedBlobs() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        String id = backupOnAServer(data, keyA, "claimed");
        String planted = UUID.randomUUID().toString();
        try (BackupRepository local = new LocalBackupRepository(data.resolve("backups"));
                BackupRepository decrypting = new EncryptingRepository(new LocalBackupRepository(data.resolve("backups")),
                        new BackupKeys(null, List.of(BackupKey.load(keyA))))) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode m = (ObjectNode) mapper.readTree(decrypting.getManifest(id).orElseThrow());
            m.put("backup_id", planted).put("name", "planted");
            local.putManifest(planted, mapper.writeValueAsBytes(m));
        }
        try (TestServer server = start(data, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            assertEquals("Ready", control.get("/backups/" + planted).json().get("status").asText());
            JsonNode job = Backups.restore(control, planted, "planted-copy");
            assertEquals("Failed", job.get("status").asText(), job.toString());
            assertTrue(job.get("failure_reason").asText().contains("is encrypted"), job.toString());
            assertEquals(404, control.get("/indexes/planted-copy").status());
            assertEquals("Completed", Backups.restore(control, id, "real-copy").get("status").asText(),
                    "the real backup's blobs were left alone");
        }
    }

    /**
     * A manifest rewritten after encryption was turned on or off (here: the repair of a lost copy at
     * start) keeps the form its blobs have, so an old plaintext backup stays plaintext, and an encrypted
     * one read with only its decryption key stays encrypted under that key; both still restore.
     */
    @Test
    void aRepairedManifestKeepsTheEncryptionOfItsBlobs() throws Exception {
        writeKeys();
        Path data = dir.resolve("data");
        String plain;
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            loadIndex(control, "old", 40);
            plain = backup(control, "old");
        }
        Files.delete(data.resolve("backups/manifests/" + plain + ".json.copy"));
        String sealed;
        try (TestServer server = start(data, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            assertTrue(Files.exists(data.resolve("backups/manifests/" + plain + ".json.copy")), "repaired at start");
            byte[] body = stripManifestHeader(data, plain);
            assertFalse(EncryptedBlobs.isEncrypted(body, body.length), "the plaintext backup's manifest stays plaintext");
            assertEquals("Completed", Backups.restore(control, plain, "old-copy").get("status").asText());
            loadIndex(control, "new", 40);
            sealed = backup(control, "new");
        }
        Files.delete(data.resolve("backups/manifests/" + sealed + ".json.copy"));
        try (TestServer server = start(data, null, keyA)) {
            Http control = new Http(server.url(), TestServer.KEY);
            assertTrue(Files.exists(data.resolve("backups/manifests/" + sealed + ".json.copy")), "repaired at start");
            assertEquals(BackupKey.load(keyA).id(), keyIdOf(stripManifestHeader(data, sealed)), "still sealed under its key");
            assertEquals("Completed", Backups.restore(control, sealed, "new-copy").get("status").asText());
            assertEquals("Completed", Backups.restore(control, plain, "old-copy-2").get("status").asText());
        }
    }

    private static Path blobPath(Path data, BackupManifest.FileEntry f) {
        return data.resolve("backups/blobs").resolve(f.sha256().substring(0, 2)).resolve(f.sha256());
    }

    private static int crc32c(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    /**
     * {@code plain} with 8 bytes before its Lucene footer chosen, and the footer's checksum recomputed,
     * so that the whole has CRC32C {@code target}: both CRCs are affine over GF(2) in those bytes, so it
     * is one linear system.
     */
    private static byte[] forge(byte[] plain, int target) {
        int at = plain.length - 16 - 8;
        int base = crc32c(patched(plain, at, 0));
        int[] column = new int[64];
        for (int i = 0; i < 64; i++) column[i] = crc32c(patched(plain, at, 1L << i)) ^ base;
        int[] pivotRow = new int[32];
        Arrays.fill(pivotRow, -1);
        long[] combo = new long[64];
        for (int i = 0; i < 64; i++) combo[i] = 1L << i;
        boolean[] used = new boolean[64];
        for (int bit = 31; bit >= 0; bit--) {
            int p = -1;
            for (int i = 0; i < 64 && p < 0; i++) if (!used[i] && (column[i] >>> bit & 1) != 0) p = i;
            if (p < 0) continue;
            used[p] = true;
            pivotRow[bit] = p;
            for (int i = 0; i < 64; i++) {
                if (i != p && (column[i] >>> bit & 1) != 0) {
                    column[i] ^= column[p];
                    combo[i] ^= combo[p];
                }
            }
        }
        int want = target ^ base;
        long patch = 0;
        for (int bit = 31; bit >= 0; bit--) {
            if ((want >>> bit & 1) != 0 && pivotRow[bit] >= 0) {
                want ^= column[pivotRow[bit]];
                patch ^= combo[pivotRow[bit]];
            }
        }
        assertEquals(0, want, "the system is solvable");
        byte[] forged = patched(plain, at, patch);
        assertEquals(target, crc32c(forged));
        assertFalse(Arrays.equals(plain, forged));
        return forged;
    }

    private static byte[] patched(byte[] plain, int at, long patch) {
        byte[] b = plain.clone();
        ByteBuffer.wrap(b).putLong(at, patch);
        CRC32 footer = new CRC32();
        footer.update(b, 0, b.length - 8);
        ByteBuffer.wrap(b).putLong(b.length - 8, footer.getValue());
        return b;
    }

    /** The stored body of a backup's manifest, after the repository's checksum line. */
    private static byte[] stripManifestHeader(Path data, String id) throws Exception {
        byte[] file = Files.readAllBytes(data.resolve("backups/manifests/" + id + ".json"));
        int newline = 0;
        while (file[newline] != '\n') newline++;
        return Arrays.copyOfRange(file, newline + 1, file.length);
    }
}
