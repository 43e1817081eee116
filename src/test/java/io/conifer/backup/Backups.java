package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/** Test helpers: wait for a backup's status, and read what a backup really holds from the repository. */
public final class Backups {
    private Backups() {}

    public static JsonNode awaitStatus(Http control, String backupId, String status) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        JsonNode b = null;
        while (System.nanoTime() < deadline) {
            b = control.get("/backups/" + backupId).json();
            if (b.get("status").asText().equals(status)) return b;
            if (!b.get("status").asText().equals("Initializing")) break;
            Thread.sleep(50);
        }
        throw new AssertionError("backup " + backupId + " did not become " + status + ": " + b);
    }

    /** Restores {@code backupId} into a new index {@code target} and returns the job once Completed or Failed. */
    public static JsonNode restore(Http control, String backupId, String target) throws InterruptedException {
        Http.Response started = control.post("/backups/" + backupId + "/create-index", "{\"name\":\"" + target + "\"}");
        assertEquals(202, started.status(), started.body());
        String job = started.json().get("restore_job_id").asText();
        long deadline = System.nanoTime() + 120_000_000_000L;
        JsonNode j;
        do {
            Thread.sleep(50);
            j = control.get("/restore-jobs/" + job).json();
        } while (!Set.of("Completed", "Failed").contains(j.get("status").asText()) && System.nanoTime() < deadline);
        return j;
    }

    /** The record ids in a backup, read by materialising its files from the repository and opening them. */
    public static Set<String> idsInBackup(BackupRepository repository, String backupId, Path scratch) throws Exception {
        return new HashSet<>(liveIdsInBackup(repository, backupId, scratch));
    }

    /** One id per live document of the backup, so a record present twice shows up twice. */
    public static List<String> liveIdsInBackup(BackupRepository repository, String backupId, Path scratch) throws Exception {
        BackupManifest m = BackupManifest.fromJson(repository.getManifest(backupId).orElseThrow());
        assertEquals(BackupStatus.Ready, m.status());
        Path dir = scratch.resolve(backupId);
        new BackupReader(repository, Throttle.UNLIMITED).materialize(m, dir, n -> {});
        List<String> ids = new ArrayList<>();
        try (FSDirectory d = FSDirectory.open(dir); DirectoryReader r = DirectoryReader.open(d)) {
            for (LeafReaderContext leaf : r.leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
                    if (live != null && !live.get(doc)) continue;
                    String id = stored.document(doc).get("_id");
                    if (id != null) ids.add(id);
                }
            }
        }
        return ids;
    }

    /** What {@code conifer backup verify ARGS} printed on stdout and stderr, and its exit code. */
    public record Verified(int exit, String out, String err) {}

    public static Verified verify(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream savedOut = System.out;
        java.io.PrintStream savedErr = System.err;
        System.setOut(new java.io.PrintStream(out, true));
        System.setErr(new java.io.PrintStream(err, true));
        try {
            String[] full = new String[args.length + 2];
            full[0] = "backup";
            full[1] = "verify";
            System.arraycopy(args, 0, full, 2, args.length);
            return new Verified(new picocli.CommandLine(new io.conifer.cli.Main()).execute(full), out.toString(), err.toString());
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
