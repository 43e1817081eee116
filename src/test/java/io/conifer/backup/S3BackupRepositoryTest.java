package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 repository against a real S3 protocol server (s3proxy over HTTP, in this JVM). */
class S3BackupRepositoryTest {
    @TempDir
    static Path dir;
    static S3TestServer s3;
    static S3Client client;
    static int prefixes;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(dir.resolve("s3"));
        client = s3.client();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3.close();
    }

    static S3BackupRepository repository(String prefix, String server) {
        return new S3BackupRepository(s3.location(prefix, S3TestServer.quickTuning()), server);
    }

    /** Server a's repository under {@code prefix}, encrypting under an all-zero key. */
    static BackupRepository encrypting(String prefix) {
        return new EncryptingRepository(repository(prefix, "server-a"), new BackupKeys(new BackupKey(new byte[32]), List.of()));
    }

    static Path randomFile(String name, int bytes, long seed) throws Exception {
        byte[] content = new byte[bytes];
        new Random(seed).nextBytes(content);
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    static byte[] read(BackupRepository repo, String sha) throws Exception {
        try (InputStream in = repo.openBlob(sha)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aStagedBlobIsInvisibleUntilPublishedAndThenWhole() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            // 12 MB: three 5 MB parts, uploaded in parallel; and one small file, one PUT.
            s3.faults.partChecksums.clear();
            for (Path f : List.of(randomFile("large", 12 << 20, 1), randomFile("small", 1000, 2))) {
                byte[] content = Files.readAllBytes(f);
                BackupRepository.StagedBlob staged = repo.stage(f, Throttle.UNLIMITED);
                assertEquals(TreeHashTest.reference(content), staged.sha256());
                assertEquals(content.length, staged.length());
                assertFalse(repo.hasBlob(staged.sha256()), "nothing is visible before publish");
                assertEquals(Set.of(), repo.blobs());
                String stamp = repo.publish(staged);
                assertEquals(stamp, repo.blobStamp(staged.sha256()).orElseThrow());
                assertArrayEquals(content, read(repo, staged.sha256()));
                assertEquals(content.length, repo.blobLength(staged.sha256()));
                repo.deleteBlob(staged.sha256());
            }
            // Each part carried the CRC32C of its bytes, which the server checks against the bytes it received.
            byte[] large = Files.readAllBytes(dir.resolve("large"));
            Set<String> expected = new java.util.HashSet<>();
            for (int pos = 0; pos < large.length; pos += 5 << 20) {
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(large, pos, Math.min(5 << 20, large.length - pos));
                expected.add(java.util.Base64.getEncoder().encodeToString(
                        java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()));
            }
            assertEquals(expected, Set.copyOf(s3.faults.partChecksums));
            assertEquals(3, s3.faults.partChecksums.size());
        }
    }

    /** Encryption is a layer over any repository: over S3 the objects are ciphertext, named by an HMAC, and read back whole. */
    @Test
    void encryptedBlobsAndManifestsOverS3() throws Exception {
        String prefix = "p" + (++prefixes);
        BackupKeys keys = new BackupKeys(new BackupKey(new byte[32]), List.of());
        try (BackupRepository repo = new EncryptingRepository(repository(prefix, "server-a"), keys);
                S3BackupRepository raw = repository(prefix, "server-a")) {
            for (Path f : List.of(randomFile("enc-large", 12 << 20, 3), randomFile("enc-small", 1000, 4))) {
                byte[] content = Files.readAllBytes(f);
                BackupRepository.StagedBlob staged = repo.stage(f, Throttle.UNLIMITED);
                assertEquals(content.length, staged.length());
                assertFalse(staged.sha256().equals(TreeHashTest.reference(content)), "named by an HMAC, not the tree hash");
                assertNull(staged.naming(), "an HMAC name records no naming");
                repo.publish(staged);
                BackupRepository.StagedBlob again = repo.stage(f, Throttle.UNLIMITED);
                assertEquals(staged.sha256(), again.sha256(), "the same content, the same name");
                repo.discard(again);
                assertArrayEquals(content, read(repo, staged.sha256()));
                byte[] stored = read(raw, staged.sha256());
                assertTrue(EncryptedBlobs.isEncrypted(stored, stored.length));
                assertEquals(EncryptedBlobs.storedLength(content.length), stored.length);
            }
            String id = "00000000-0000-0000-0000-00000000000e";
            repo.putManifest(id, "{\"secret\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("{\"secret\":1}", new String(repo.getManifest(id).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8));
            byte[] storedManifest = raw.getManifest(id).orElseThrow();
            assertTrue(EncryptedBlobs.isEncrypted(storedManifest, storedManifest.length));
        }
    }

    /**
     * A large file is read twice (for its name, then for the upload): one whose content changed in
     * between is refused, plain (CRC32C of the two readings) or encrypted (named again), and nothing of
     * it stays.
     */
    @Test
    void aFileChangedBetweenNamingAndUploadIsRefused() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository plain = repository(prefix, "server-a"); BackupRepository encrypted = encrypting(prefix)) {
            for (BackupRepository repo : List.of(plain, encrypted)) {
                Path f = randomFile("changing", 12 << 20, 22);
                java.util.concurrent.atomic.AtomicBoolean changed = new java.util.concurrent.atomic.AtomicBoolean();
                // Called as each part of the upload's reading is read: the first changes a byte of the last part.
                Throttle changeOnce = Throttle.UNLIMITED.counting(n -> {
                    if (!changed.compareAndSet(false, true)) return;
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f,
                            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
                        ch.read(b, 11 << 20);
                        b.put(0, (byte) (b.get(0) ^ 1));
                        ch.write(b.rewind(), 11 << 20);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                java.io.IOException e = assertThrows(java.io.IOException.class, () -> repo.stage(f, changeOnce));
                assertTrue(changed.get());
                assertTrue(e.getMessage().contains("changed while it was copied"), e.getMessage());
                assertEquals(0, openUploads(prefix), "the upload was aborted");
                assertEquals(Set.of(), repo.blobs());
            }
        }
    }

    /**
     * A part damaged between this client and the service (after its CRC32C was computed) is refused
     * there, never stored: the blob read back is the file's content. (Over plain HTTP the SDK's SigV4
     * payload signature catches it too; over HTTPS, where the payload is not signed, the CRC32C does.)
     */
    @Test
    void aPartCorruptedInFlightIsRefused() throws Exception {
        String prefix = "p" + (++prefixes);
        try (CorruptingProxy proxy = new CorruptingProxy(s3.endpoint());
                S3BackupRepository repo = new S3BackupRepository(new S3Location(S3TestServer.BUCKET, prefix, proxy.endpoint(),
                        S3Location.DEFAULT_REGION, true, S3TestServer.quickTuning()), "server-a")) {
            Path f = randomFile("in-flight", 12 << 20, 23);
            proxy.corruptAt.set(3 << 20); // inside the body of the first part some connection sends
            BackupRepository.StagedBlob staged;
            try {
                staged = repo.stage(f, Throttle.UNLIMITED);
            } catch (java.io.IOException refused) {
                assertEquals(0, openUploads(prefix), "the refused upload was aborted: " + refused.getMessage());
                assertEquals(Set.of(), repo.blobs());
                staged = repo.stage(f, Throttle.UNLIMITED);
            }
            assertEquals(-1, proxy.corruptAt.get(), "a bit was flipped in flight");
            repo.publish(staged);
            assertArrayEquals(Files.readAllBytes(f), read(repo, staged.sha256()));
        }
    }

    /** A damaged index file is refused while it is read, before a byte of it is in the bucket (one PUT or parts). */
    @Test
    void aDamagedLuceneFileIsRefusedBeforeAnythingIsUploaded() throws Exception {
        String prefix = "p" + (++prefixes);
        Path files = Files.createDirectories(dir.resolve("lucene-" + prefix));
        try (BackupRepository plain = repository(prefix, "server-a"); BackupRepository encrypted = encrypting(prefix + "e")) {
            int puts = s3.counts.puts.get();
            int uploads = s3.counts.uploadStarts.get();
            int parts = s3.counts.parts.get();
            for (int size : new int[] {1000, 12 << 20}) {
                Path f = FooterCheckTest.luceneFile(files, "_" + size + ".vec", size, size);
                FooterCheckTest.flipByte(f, Files.size(f) / 2);
                for (BackupRepository repo : List.of(plain, encrypted)) {
                    java.io.IOException e = assertThrows(java.io.IOException.class, () -> repo.stage(f, Throttle.UNLIMITED));
                    assertTrue(e.getMessage().contains("Index file " + f.getFileName() + " is damaged"), e.getMessage());
                }
            }
            assertEquals(List.of(puts, uploads, parts), List.of(s3.counts.puts.get(), s3.counts.uploadStarts.get(),
                    s3.counts.parts.get()), "no PUT, upload or part was sent");
            assertEquals(0, openUploads(prefix) + openUploads(prefix + "e"));
            assertEquals(Set.of(), plain.blobs());
            assertEquals(Set.of(), encrypted.blobs());
        }
    }

    @Test
    void aDiscardedUploadLeavesNothingAndCleanStagingAbortsOpenOnes() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            BackupRepository.StagedBlob discarded = repo.stage(randomFile("d1", 11 << 20, 3), Throttle.UNLIMITED);
            repo.discard(discarded);
            repo.stage(randomFile("d2", 11 << 20, 4), Throttle.UNLIMITED); // as if the server crashed now
            assertEquals(1, openUploads(prefix));
            repo.cleanStaging();
            assertEquals(0, openUploads(prefix));
            assertEquals(Set.of(), repo.blobs());
        }
    }

    static int openUploads(String prefix) {
        return client.listMultipartUploads(b -> b.bucket(S3TestServer.BUCKET).prefix(prefix + "/")).uploads().size();
    }

    @Test
    void throttlingAndSlowResponsesAreRetriedWithinThePolicy() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            Path f = randomFile("slow", 11 << 20, 5);
            s3.faults.delay = Duration.ofMillis(150);
            s3.faults.throttleNext.set(3); // three 503 Slow Down answers: under the 4 attempts of each request
            BackupRepository.StagedBlob staged;
            try {
                staged = repo.stage(f, Throttle.UNLIMITED);
                repo.publish(staged);
            } finally {
                s3.faults.delay = Duration.ZERO;
            }
            assertEquals(0, s3.faults.throttleNext.get(), "the server did answer 503s");
            assertArrayEquals(Files.readAllBytes(f), read(repo, staged.sha256()));

            // More failures in a row than attempts: the request fails, naming the operation.
            s3.faults.throttleNext.set(100);
            try {
                java.io.IOException e = assertThrows(java.io.IOException.class, () -> repo.publish(repo.stage(
                        randomFile("tiny", 10, 6), Throttle.UNLIMITED)));
                assertTrue(e.getMessage().contains("S3 upload of"), e.getMessage());
            } finally {
                s3.faults.throttleNext.set(0);
            }
        }
    }

    @Test
    void manifestsKeepTwoCheckedCopies() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            String id = "0c6a3a56-3f5e-4a0b-9d55-6c7e2b8f1a00";
            byte[] json = "{\"backup_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
            repo.putManifest(id, json);
            assertEquals(List.of(id), repo.manifestIds());
            BackupRepository.ManifestRead sound = repo.readManifest(id).orElseThrow();
            assertArrayEquals(json, sound.json());
            assertNull(sound.damage());
            client.putObject(b -> b.bucket(S3TestServer.BUCKET).key(prefix + "/manifests/" + id + ".json"),
                    RequestBody.fromString("conifer-manifest sha256=" + "0".repeat(64) + "\n{\"backup_id\":\"y\"}"));
            BackupRepository.ManifestRead recovered = repo.readManifest(id).orElseThrow();
            assertArrayEquals(json, recovered.json());
            assertTrue(recovered.damage().contains("recovered from the copy"), recovered.damage());
            repo.deleteManifest(id);
            assertEquals(List.of(), repo.manifestIds());
            assertTrue(repo.readManifest(id).isEmpty());
        }
    }

    @Test
    void aManifestRewrittenBetweenTheReadsOfItsTwoCopiesReadsAsTheNewerOne() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository reader = repository(prefix, "server-a"); S3BackupRepository writer = repository(prefix, "server-b")) {
            String id = "0c6a3a56-3f5e-4a0b-9d55-6c7e2b8f1a01";
            byte[] initializing = "{\"status\":\"Initializing\"}".getBytes(StandardCharsets.UTF_8);
            byte[] ready = "{\"status\":\"Ready\"}".getBytes(StandardCharsets.UTF_8);
            writer.putManifest(id, initializing);
            // Another server writes Ready (both copies) after the reader fetched one copy and before the other.
            java.util.concurrent.atomic.AtomicInteger manifestGets = new java.util.concurrent.atomic.AtomicInteger();
            s3.faults.beforeGet = key -> {
                if (key.contains(id) && manifestGets.incrementAndGet() == 2) {
                    try {
                        writer.putManifest(id, ready);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
            BackupRepository.ManifestRead read;
            try {
                read = reader.readManifest(id).orElseThrow();
            } finally {
                s3.faults.beforeGet = null;
            }
            assertEquals(2, manifestGets.get());
            // Read the other way round, an old primary and a new copy made the old one win, and its repair
            // rewrote a Ready manifest back to Initializing.
            assertEquals(new String(ready, StandardCharsets.UTF_8), new String(read.json(), StandardCharsets.UTF_8));
            assertTrue(read.fromPrimary());
            assertTrue(read.damage().contains("out of date"), read.damage());

            // A repair then rewrites only the copy: the primary, which a newer write may have replaced
            // meanwhile, is never put back.
            int puts = s3.counts.puts.get();
            reader.putManifestCopy(id, read.json());
            assertEquals(puts + 1, s3.counts.puts.get());
            assertNull(reader.readManifest(id).orElseThrow().damage());
        }
    }

    @Test
    void serversWriteUnderTheirOwnPrefixAndReadEachOthers() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository a = repository(prefix, "server-a"); S3BackupRepository b = repository(prefix, "server-b")) {
            Path f = randomFile("shared", 6 << 20, 7);
            String sha = TreeHashTest.reference(Files.readAllBytes(f));
            a.publish(a.stage(f, Throttle.UNLIMITED));
            assertEquals(Set.of(sha), a.blobs());
            // b neither lists, stamps nor may delete a's blob (so its garbage collection never touches it)...
            assertEquals(Set.of(), b.blobs());
            assertTrue(b.blobStamp(sha).isEmpty());
            b.deleteBlob(sha);
            assertTrue(a.hasBlob(sha));
            // ...but reads it, to restore a's backups.
            assertArrayEquals(Files.readAllBytes(f), read(b, sha));
            assertTrue(b.describe(sha).contains("/servers/server-a/"), b.describe(sha));
            assertThrows(NoSuchFileException.class, () -> b.openBlob("ab".repeat(32)));
        }
    }

    @Test
    void aCorruptBlobIsNamedAndQuarantined() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            Path f = randomFile("victim", 3000, 8);
            byte[] content = Files.readAllBytes(f);
            BackupRepository.StagedBlob staged = repo.stage(f, Throttle.UNLIMITED);
            repo.publish(staged);
            content[1500] ^= 1;
            client.putObject(b -> b.bucket(S3TestServer.BUCKET).key(prefix + "/servers/server-a/blobs/"
                    + staged.sha256().substring(0, 2) + "/" + staged.sha256()), RequestBody.fromBytes(content));
            BackupManifest.FileEntry entry = entry("_0.vec", staged);
            BackupReader.DamagedFileException e = assertThrows(BackupReader.DamagedFileException.class,
                    () -> new BackupReader(repo, Throttle.UNLIMITED).verify(entry, n -> {}));
            assertTrue(e.getMessage().contains("File _0.vec is corrupt"), e.getMessage());
            assertFalse(repo.hasBlob(staged.sha256()), "moved out of the way, so the next backup stores it afresh");
            List<BackupRepository.Quarantined> q = repo.quarantined();
            assertEquals(1, q.size());
            assertEquals(staged.sha256(), q.get(0).sha256());
            assertTrue(q.get(0).reason().contains("is corrupt"), q.get(0).reason());
        }
    }

    static BackupManifest.FileEntry entry(String name, BackupRepository.StagedBlob staged) {
        return new BackupManifest.FileEntry(name, staged.sha256(), staged.length(), staged.crc32c(), 0, staged.naming());
    }

    static BackupManifest manifestOf(List<BackupManifest.FileEntry> files) {
        return new BackupManifest("b", "p", "b", null, BackupStatus.Ready, null, null, "i", "i", null, null, null, null, 0, null,
                null, null, false, 0, 0, null, files.stream().mapToLong(BackupManifest.FileEntry::length).sum(), null, files, false);
    }

    static String keyOf(String prefix, String name) {
        return prefix + "/servers/server-a/blobs/" + name.substring(0, 2) + "/" + name;
    }

    static void damage(String prefix, String name, int at) {
        String key = keyOf(prefix, name);
        byte[] stored = client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(key)).asByteArray();
        stored[at] ^= 1;
        client.putObject(b -> b.bucket(S3TestServer.BUCKET).key(key), RequestBody.fromBytes(stored));
    }

    /** Damages a published blob in the bucket and returns the stamp a reader of the damaged bytes gets. */
    static String damagedStamp(BackupRepository repo, String prefix, String name) throws Exception {
        damage(prefix, name, 100);
        BackupRepository.StoredBlob damaged = repo.openStored(name);
        damaged.bytes().close();
        return damaged.stamp();
    }

    /** The key a quarantined blob was moved to. */
    static String asideKey(BackupRepository.Quarantined q) {
        return q.location().substring(("s3://" + S3TestServer.BUCKET + "/").length());
    }

    /**
     * A restore reads each blob with one GET, whose ETag is the stamp a quarantine would need: no
     * look-up (HEAD) per blob, plain or encrypted, large (multipart) or small.
     */
    @Test
    void aRestoreReadsEachBlobWithOneGetAndNoLookup() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository plain = repository(prefix, "server-a"); BackupRepository encrypted = encrypting(prefix)) {
            for (BackupRepository repo : List.of(plain, encrypted)) {
                List<Path> files = List.of(randomFile("r-large", 11 << 20, 11), randomFile("r-small", 2000, 12));
                List<BackupManifest.FileEntry> entries = new java.util.ArrayList<>();
                for (Path f : files) {
                    BackupRepository.StagedBlob staged = repo.stage(f, Throttle.UNLIMITED);
                    String stamp = repo.publish(staged);
                    entries.add(entry(f.getFileName() + ".restored", staged));
                    BackupRepository.StoredBlob stored = repo.openStored(staged.sha256());
                    try (InputStream in = stored.bytes()) {
                        assertEquals(stamp, stored.stamp(), "the GET's ETag is the stamp");
                    }
                }
                int before = s3.counts.lookups.get();
                repo.blobStamp(entries.get(0).sha256());
                assertTrue(s3.counts.lookups.get() > before, "the server counts look-ups");
                Path target = dir.resolve("restored-" + repo.getClass().getSimpleName());
                java.util.concurrent.atomic.AtomicLong copied = new java.util.concurrent.atomic.AtomicLong();
                before = s3.counts.lookups.get();
                new BackupReader(repo, Throttle.UNLIMITED).materialize(manifestOf(entries), target, copied::addAndGet);
                assertEquals(before, s3.counts.lookups.get(), "no HEAD while restoring through " + repo);
                for (Path f : files) {
                    assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(target.resolve(f.getFileName() + ".restored")));
                }
                assertEquals(Files.size(files.get(0)) + Files.size(files.get(1)), copied.get(), "progress heard of every byte");
            }
        }
    }

    /** A stamp read with damaged bytes never quarantines the verified copy published since. */
    @Test
    void aQuarantineUnderAnOldStampLeavesTheFreshCopy() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            Path f = randomFile("fresh", 3000, 13);
            String sha = publish(repo, f).sha256();
            String damagedStamp = damagedStamp(repo, prefix, sha);
            String fresh = repo.publish(repo.stage(f, Throttle.UNLIMITED));
            assertFalse(fresh.equals(damagedStamp));
            repo.quarantine(sha, damagedStamp, "found damaged");
            assertArrayEquals(Files.readAllBytes(f), read(repo, sha), "the fresh copy stays");
            assertEquals(List.of(), repo.quarantined());
        }
    }

    /**
     * A fresh copy published after the quarantine copied the damaged object aside, but before it
     * deleted it, stays: the delete is conditional on the damaged object's ETag.
     */
    @Test
    void aFreshCopyPublishedDuringTheQuarantineIsNotDeleted() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            Path f = randomFile("raced", 3000, 24);
            String sha = publish(repo, f).sha256();
            String stamp = damagedStamp(repo, prefix, sha);
            byte[] damaged = client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(keyOf(prefix, sha))).asByteArray();
            s3.faults.afterCopy = () -> client.putObject(b -> b.bucket(S3TestServer.BUCKET).key(keyOf(prefix, sha)),
                    RequestBody.fromFile(f));
            try {
                repo.quarantine(sha, stamp, "found damaged");
            } finally {
                s3.faults.afterCopy = null;
            }
            assertArrayEquals(Files.readAllBytes(f), read(repo, sha), "the fresh copy stays");
            List<BackupRepository.Quarantined> q = repo.quarantined();
            assertEquals(1, q.size());
            String aside = asideKey(q.get(0));
            assertArrayEquals(damaged, client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(aside)).asByteArray());
        }
    }

    /** A quarantine whose copy fails leaves the blob where it was and no reason behind. */
    @Test
    void aFailedQuarantineCopyLeavesNoReason() throws Exception {
        String prefix = "p" + (++prefixes);
        try (S3BackupRepository repo = repository(prefix, "server-a")) {
            Path f = randomFile("unmoved", 3000, 25);
            String sha = publish(repo, f).sha256();
            String stamp = damagedStamp(repo, prefix, sha);
            s3.faults.failNextCopies.set(100);
            try {
                assertThrows(java.io.IOException.class, () -> repo.quarantine(sha, stamp, "found damaged"));
            } finally {
                s3.faults.failNextCopies.set(0);
            }
            assertEquals(stamp, repo.blobStamp(sha).orElseThrow(), "the damaged blob is where it was");
            assertEquals(List.of(), repo.quarantined());
            assertEquals(List.of(), client.listObjectsV2(b -> b.bucket(S3TestServer.BUCKET)
                    .prefix(prefix + "/servers/server-a/quarantine/")).contents(), "no reason left behind");
            // The next attempt moves it.
            repo.quarantine(sha, stamp, "found damaged");
            assertFalse(repo.hasBlob(sha));
            assertEquals(1, repo.quarantined().size());
        }
    }

    /**
     * Encrypted blobs over S3: a damaged header, damaged ciphertext or another blob's intact
     * ciphertext swapped in is refused by the reader, named, and that exact object quarantined.
     */
    @Test
    void damagedOrSwappedEncryptedBlobsAreRefusedAndQuarantined() throws Exception {
        String prefix = "p" + (++prefixes);
        BackupKeys keys = new BackupKeys(new BackupKey(new byte[32]), List.of());
        try (BackupRepository repo = new EncryptingRepository(repository(prefix, "server-a"), keys)) {
            BackupReader reader = new BackupReader(repo, Throttle.UNLIMITED);
            BackupManifest.FileEntry header = entry("_h.vec", publish(repo, randomFile("e-header", 5000, 14)));
            BackupManifest.FileEntry frame = entry("_f.vec", publish(repo, randomFile("e-frame", 5000, 15)));
            BackupManifest.FileEntry swapped = entry("_s.vec", publish(repo, randomFile("e-swapped", 5000, 16)));
            damage(prefix, header.sha256(), 20);
            damage(prefix, frame.sha256(), 2000);
            BackupManifest.FileEntry other = entry("_o.vec", publish(repo, randomFile("e-other", 5000, 17)));
            client.copyObject(b -> b.sourceBucket(S3TestServer.BUCKET).destinationBucket(S3TestServer.BUCKET)
                    .sourceKey(keyOf(prefix, other.sha256())).destinationKey(keyOf(prefix, swapped.sha256())));
            for (var c : List.of(List.of(header, "damaged encryption header"), List.of(frame, "fails authentication"),
                    List.of(swapped, "content hash"))) {
                BackupManifest.FileEntry e = (BackupManifest.FileEntry) c.get(0);
                BackupReader.DamagedFileException x = assertThrows(BackupReader.DamagedFileException.class,
                        () -> reader.verify(e, n -> {}));
                assertTrue(x.getMessage().contains("File " + e.name() + " is corrupt"), x.getMessage());
                assertTrue(x.getMessage().contains((String) c.get(1)), x.getMessage());
                assertFalse(repo.hasBlob(e.sha256()), "quarantined: " + x.getMessage());
            }
            assertEquals(Set.of(header.sha256(), frame.sha256(), swapped.sha256()),
                    new java.util.HashSet<>(repo.quarantined().stream().map(BackupRepository.Quarantined::sha256).toList()));
            assertTrue(repo.hasBlob(other.sha256()), "only the damaged objects were moved");
        }
    }

    static BackupRepository.StagedBlob publish(BackupRepository repo, Path f) throws Exception {
        BackupRepository.StagedBlob staged = repo.stage(f, Throttle.UNLIMITED);
        repo.publish(staged);
        return staged;
    }

    /** A blob larger than one copy request may take is quarantined by a multipart copy, whole and exact. */
    @Test
    void aBlobOverTheCopyLimitIsQuarantinedByAMultipartCopy() throws Exception {
        String prefix = "p" + (++prefixes);
        S3BackupRepository.Tuning quick = S3TestServer.quickTuning();
        S3BackupRepository.Tuning lowLimit = new S3BackupRepository.Tuning(quick.partSize(), quick.parallelism(),
                quick.maxAttempts(), quick.baseDelay(), quick.maxDelay(), quick.connectTimeout(), quick.attemptTimeout(), 5 << 20);
        try (S3BackupRepository repo = new S3BackupRepository(s3.location(prefix, lowLimit), "server-a")) {
            BackupManifest.FileEntry large = entry("_l.vec", publish(repo, randomFile("q-large", 12 << 20, 18)));
            damage(prefix, large.sha256(), 7 << 20);
            byte[] damaged = client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(keyOf(prefix, large.sha256())))
                    .asByteArray();
            int copies = s3.counts.copies.get();
            int rangedReads = s3.counts.rangedReads.get();
            assertThrows(BackupReader.DamagedFileException.class,
                    () -> new BackupReader(repo, Throttle.UNLIMITED).verify(large, n -> {}));
            assertEquals(3, s3.counts.rangedReads.get() - rangedReads, "12 MB copied in parts of at most 5 MB");
            assertEquals(copies, s3.counts.copies.get(), "no single-request copy");
            assertFalse(repo.hasBlob(large.sha256()));
            List<BackupRepository.Quarantined> q = repo.quarantined();
            assertEquals(1, q.size());
            String aside = asideKey(q.get(0));
            assertArrayEquals(damaged, client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(aside)).asByteArray(),
                    "the quarantined object is the damaged one, whole");
            assertEquals(0, openUploads(prefix));

            // Under the limit, one CopyObject.
            BackupManifest.FileEntry small = entry("_s.vec", publish(repo, randomFile("q-small", 4 << 20, 19)));
            damage(prefix, small.sha256(), 100);
            assertThrows(BackupReader.DamagedFileException.class,
                    () -> new BackupReader(repo, Throttle.UNLIMITED).verify(small, n -> {}));
            assertEquals(copies + 1, s3.counts.copies.get());
            assertFalse(repo.hasBlob(small.sha256()));
        }
    }
}
