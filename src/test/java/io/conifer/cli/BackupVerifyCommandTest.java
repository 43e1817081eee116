package io.conifer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.Backups;
import io.conifer.backup.S3TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conifer backup verify} on a repository it cannot read, in part or at all: that is no damage, so
 * nothing is called DAMAGED, no deletion is advised, and the exit code (3, as README says) is not that of
 * damage (1), which a script may act on by deleting backups.
 */
class BackupVerifyCommandTest {
    private static final int DAMAGED = 1;
    private static final int UNREADABLE = 3;

    @TempDir
    Path dir;

    private static List<String> lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** One line on stderr saying why (the S3 SDK may log besides), and no stack trace. */
    private static String oneErrorLine(Backups.Verified run) {
        List<String> said = lines(run.err(), "conifer: ");
        assertEquals(1, said.size(), run.toString());
        assertFalse(run.err().contains("\tat "), run.err());
        return said.get(0);
    }

    @Test
    void aManifestThatCannotBeReadIsReportedAsUnreadNotDamaged() throws Exception {
        Path repo = dir.resolve("repo");
        String unread = "11111111-2222-3333-4444-555555555555";
        // Reading it fails as a permission error or EIO would (root reads through permissions, so not those).
        Files.createDirectories(repo.resolve("manifests").resolve(unread + ".json"));

        Backups.Verified alone = Backups.verify("--backup-dir", repo.toString());

        assertEquals(UNREADABLE, alone.exit(), alone.toString());
        List<String> unreadLines = lines(alone.out(), "UNREADABLE Backup " + unread + ": could not read its manifest");
        assertEquals(1, unreadLines.size(), alone.out());
        assertFalse(alone.out().contains("Delete") || alone.out().contains("damaged"), alone.out());
        assertTrue(lines(alone.out(), "PROBLEM").isEmpty(), alone.out());
        assertTrue(alone.out().contains("INCOMPLETE: 0 backups, 0 files, 0 bytes read, 0 problems, 1 backups could not be read"),
                alone.out());

        // A manifest really damaged beside it is still damage, and still the one deletion advised.
        String damaged = "66666666-7777-8888-9999-000000000000";
        Files.writeString(repo.resolve("manifests").resolve(damaged + ".json"), "{\"backup_id\": \"66666666-77");
        Backups.Verified both = Backups.verify("--backup-dir", repo.toString());

        assertEquals(DAMAGED, both.exit(), both.toString());
        List<String> problems = lines(both.out(), "PROBLEM");
        assertEquals(1, problems.size(), both.out());
        assertTrue(problems.get(0).startsWith("PROBLEM Backup " + damaged + ": manifest damaged beyond recovery")
                && problems.get(0).contains("Delete it"), problems.get(0));
        assertEquals(unreadLines, lines(both.out(), "UNREADABLE"));
        assertTrue(both.out().contains("DAMAGED: 0 backups, 0 files, 0 bytes read, 1 problems, 1 backups could not be read"),
                both.out());
    }

    /** S3 refusing reads (a 403: an expired token, a policy) is reported as such, whether of manifests or of blobs. */
    @Test
    void anS3RepositoryThatRefusesReadsIsUnreadNotDamaged() throws Exception {
        try (S3TestServer s3 = S3TestServer.start(dir.resolve("s3"))) {
            Path data = dir.resolve("data");
            try (TestServer server = TestServer.startWith(data, c -> c.withBackupS3(s3.location("v", S3TestServer.quickTuning())))) {
                Http control = new Http(server.url(), TestServer.KEY);
                Http index = control.forHost(control.createDense("docs", 4, "cosine"));
                assertEquals(200, index.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2,3,4]}]}").status());
                String id = control.post("/indexes/docs/backups", "{}").json().get("backup_id").asText();
                Backups.awaitStatus(control, id, "Ready");
            }
            String[] args = {"--data-dir", data.toString(), "--backup-repo", "s3://" + S3TestServer.BUCKET + "/v",
                    "--s3-endpoint", s3.endpoint().toString(), "--s3-path-style"};
            assertEquals(0, Backups.verify(args).exit(), "sound while S3 answers");

            s3.faults.beforeGet = key -> {
                if (key.contains("/manifests/")) throw S3Exceptions.fromStatusCode(403);
            };
            Backups.Verified manifestsRefused = Backups.verify(args);
            assertEquals(UNREADABLE, manifestsRefused.exit(), manifestsRefused.toString());
            assertEquals(1, lines(manifestsRefused.out(), "UNREADABLE").size(), manifestsRefused.out());
            assertTrue(lines(manifestsRefused.out(), "PROBLEM").isEmpty(), manifestsRefused.out());
            assertTrue(manifestsRefused.out().contains("403") && !manifestsRefused.out().contains("Delete"), manifestsRefused.out());

            s3.faults.beforeGet = key -> {
                if (key.contains("/blobs/")) throw S3Exceptions.fromStatusCode(403);
            };
            Backups.Verified blobsRefused = Backups.verify(args);
            assertEquals(UNREADABLE, blobsRefused.exit(), blobsRefused.toString());
            String line = oneErrorLine(blobsRefused);
            assertTrue(line.startsWith("conifer: could not read the backup repository s3://" + S3TestServer.BUCKET + "/v (")
                    && line.contains("403"), line);
            assertFalse(blobsRefused.out().contains("DAMAGED") || blobsRefused.out().contains("OK:"), blobsRefused.out());
        }
    }

    /** A bucket that does not exist is named as such: not a missing backup, and not "NoSuchFileException". */
    @Test
    void aMissingBucketIsSaidInOneLine() throws Exception {
        try (S3TestServer s3 = S3TestServer.start(dir.resolve("s3"))) {
            Backups.Verified run = Backups.verify("--data-dir", dir.resolve("data").toString(), "--backup-repo", "s3://no-such-bucket/v",
                    "--s3-endpoint", s3.endpoint().toString(), "--s3-path-style");
            assertEquals(UNREADABLE, run.exit(), run.toString());
            String line = oneErrorLine(run);
            assertTrue(line.startsWith("conifer: could not read the backup repository s3://no-such-bucket/v (")
                    && line.contains("the bucket does not exist") && !line.contains("NoSuchFileException"), line);
        }
    }

    /**
     * An S3 endpoint nothing listens on: verify says so in one line, exit 3, in seconds, not after the
     * minute of retries a server's backup rides out. The bound is generous (it takes about a second), not
     * a speed figure; and not 20 s, since the server's jittered backoff may by chance total that little.
     */
    @Test
    void anUnreachableS3EndpointIsOneLineWithinSeconds() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        // Credentials, so the SDK gets as far as connecting rather than failing to find any.
        String savedKey = System.setProperty("aws.accessKeyId", "verify-test");
        String savedSecret = System.setProperty("aws.secretAccessKey", "verify-test-secret");
        try {
            long start = System.nanoTime();
            Backups.Verified run = Backups.verify("--data-dir", dir.resolve("data").toString(), "--backup-repo", "s3://bucket/v",
                    "--s3-endpoint", "http://127.0.0.1:" + closed, "--s3-path-style");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(UNREADABLE, run.exit(), run.toString());
            String line = oneErrorLine(run);
            assertTrue(line.startsWith("conifer: could not read the backup repository s3://bucket/v (")
                    && line.contains("127.0.0.1:" + closed), line);
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
        } finally {
            restore("aws.accessKeyId", savedKey);
            restore("aws.secretAccessKey", savedSecret);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) System.clearProperty(property);
        else System.setProperty(property, value);
    }

    @Test
    void aLocalRepositoryThatCannotBeOpenedIsOneLine() throws Exception {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("manifests"));
        // Where the blobs' directory should be, a file: opening the repository fails as on a broken disk.
        Files.writeString(repo.resolve("blobs"), "not a directory", StandardCharsets.UTF_8);

        Backups.Verified run = Backups.verify("--backup-dir", repo.toString());

        assertEquals(UNREADABLE, run.exit(), run.toString());
        String line = oneErrorLine(run);
        assertTrue(line.startsWith("conifer: could not read the backup repository " + repo.toAbsolutePath() + " (")
                && line.contains("blobs"), line);
    }
}
