package io.conifer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.backup.BackupRepository;
import io.conifer.backup.BackupKeys;
import io.conifer.backup.EncryptingRepository;
import io.conifer.backup.LocalBackupRepository;
import io.conifer.backup.RepositoryVerifier;
import io.conifer.backup.S3BackupRepository;
import io.conifer.backup.S3Location;
import io.conifer.backup.ServerId;
import io.conifer.files.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code conifer backup ...}: backups on a running server (create, list, describe, delete, through its
 * control plane) and {@code verify}, which reads the repository itself, offline.
 */
@Command(name = "backup", description = "Take, list and delete backups on a running server; verify a repository offline.",
        subcommands = BackupCommand.Verify.class)
final class BackupCommand {
    @Command(name = "create", description = "Take a backup of an index; with --wait, follow its copy until it is Ready.")
    int create(@Mixin ClientOptions client,
            @Option(names = "--index", required = true, paramLabel = "NAME", description = "The index to back up.") String index,
            @Option(names = "--name", paramLabel = "NAME", description = "A name for the backup.") String name,
            @Option(names = "--description", paramLabel = "TEXT", description = "A description of the backup.") String description,
            @Option(names = "--wait", description = "Wait until the backup is Ready (or Failed), showing its progress.") boolean wait) {
        return client.run(c -> {
            ObjectNode body = ControlPlaneClient.JSON.createObjectNode();
            if (name != null) body.put("name", name);
            if (description != null) body.put("description", description);
            JsonNode created = c.post("indexes/" + ControlPlaneClient.segment(index) + "/backups", body);
            String id = created.path("backup_id").asText();
            if (!wait) {
                if (client.json) client.printJson(created);
                else client.out().println("Backup " + id + " of index '" + index + "' started ("
                        + created.path("status").asText() + "). Follow it with: conifer backup describe " + id);
                return 0;
            }
            if (!client.json) client.out().println("Backup " + id + " of index '" + index + "' started.");
            JsonNode end = OperationPoller.await(() -> c.get("backups/" + ControlPlaneClient.segment(id)),
                    b -> !b.path("status").asText().equals(INITIALIZING), BackupCommand::progress,
                    client.json ? ProgressView.silent() : ProgressView.of("backup", Terminal.interactive(), client.out()));
            return outcome(end, client);
        });
    }

    private static final String INITIALIZING = "Initializing";

    /** A backup's copy as the server reports it; a Ready backup is whole. */
    private static Progress progress(JsonNode backup) {
        String status = backup.path("status").asText();
        if (status.equals("Ready")) {
            long size = backup.path("size_bytes").asLong();
            return new Progress(100, size, size);
        }
        if (!status.equals(INITIALIZING) || !backup.has("percent_complete")) return null;
        return new Progress(backup.path("percent_complete").asInt(), backup.path("bytes_done").asLong(),
                backup.path("bytes_total").asLong());
    }

    private static int outcome(JsonNode backup, ClientOptions client) {
        String id = backup.path("backup_id").asText();
        boolean ready = backup.path("status").asText().equals("Ready");
        if (client.json) {
            client.printJson(backup);
        } else if (ready) {
            client.out().println("Backup " + id + " is Ready: " + backup.path("record_count").asLong() + " records, "
                    + Bytes.human(backup.path("size_bytes").asLong()) + ".");
        } else {
            client.err().println("conifer: backup " + id + " is " + backup.path("status").asText() + ": "
                    + backup.path("failure_reason").asText("(no reason given)"));
        }
        return ready ? 0 : ClientException.OPERATION_FAILED;
    }

    @Command(name = "list", description = "List the project's backups, or one index's.")
    int list(@Mixin ClientOptions client,
            @Option(names = "--index", paramLabel = "NAME", description = "Only this index's backups.") String index) {
        String path = index == null ? "backups" : "indexes/" + ControlPlaneClient.segment(index) + "/backups";
        return client.list(path, new Table("BACKUP_ID", "NAME", "INDEX", "STATUS", "RECORDS", "SIZE", "CREATED"),
                b -> new Object[] {Fields.text(b, "backup_id"), Fields.text(b, "name"), Fields.text(b, "source_index_name"),
                        Fields.text(b, "status"), Fields.text(b, "record_count"),
                        b.hasNonNull("size_bytes") ? Bytes.human(b.path("size_bytes").asLong()) : null,
                        Fields.text(b, "created_at")});
    }

    @Command(name = "describe", description = "Describe one backup (with its progress while it is copied).")
    int describe(@Mixin ClientOptions client, @Parameters(paramLabel = "BACKUP_ID") String id) {
        return client.describe("backups/" + ControlPlaneClient.segment(id));
    }

    @Command(name = "delete", description = "Delete a backup (its files go once no restore reads them).")
    int delete(@Mixin ClientOptions client, @Parameters(paramLabel = "BACKUP_ID") String id) {
        return client.delete("backups/" + ControlPlaneClient.segment(id), "Deleted backup " + id + ".");
    }

    @Command(name = "verify", description = "Re-read every file of every backup (or of one), report any missing or corrupt file, damaged"
            + " manifest or quarantined file, and why each Failed backup failed. Encrypted backups need their key files.")
    static final class Verify implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "BACKUP_ID", description = "Verify only this backup.")
        String backupId;

        @Option(names = "--data-dir", defaultValue = "${env:CONIFER_DATA_DIR:-./conifer-data}",
                description = "The server's data directory (env CONIFER_DATA_DIR; default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Mixin
        BackupRepoOptions repo;

        @picocli.CommandLine.Mixin
        BackupKeyOptions keys;

        // Exit codes beyond 0 (sound) and 1 (damage found), so that a script never takes a repository it
        // could not read for a damaged one, whose backups it might then delete.
        static final int USAGE = 2;
        /** Some or all of the repository could not be read (permissions, credentials, S3 down), so is not known to be sound. */
        static final int UNREADABLE = 3;

        @Override
        public Integer call() {
            Object location;
            try {
                location = location();
            } catch (IllegalArgumentException e) {
                System.err.println("conifer: " + e.getMessage());
                return USAGE;
            }
            try (BackupRepository repository = open(location)) {
                if (repository == null) return USAGE;
                return report(new RepositoryVerifier(repository).verify(backupId,
                        new RepositoryVerifier.ProgressBar(System.err, Terminal.interactive())));
            } catch (IllegalArgumentException e) {
                System.err.println("conifer: " + e.getMessage());
                return USAGE;
            } catch (IOException e) {
                System.err.println("conifer: could not read the backup repository " + location + " (" + IoErrors.describe(e)
                        + "), so verification did not finish. Check its permissions (or the S3 credentials and endpoint)"
                        + " and run verify again.");
                return UNREADABLE;
            }
        }

        /** The repository's S3 location (retrying as a command should, not as a server), or its directory. */
        private Object location() {
            S3Location s3 = repo.s3();
            if (s3 != null) return s3.withTuning(s3.tuning().forCommand());
            return (repo.directory() != null ? repo.directory() : dataDir.resolve("backups")).toAbsolutePath();
        }

        /** The repository, or null (having said why) when there is none. */
        private BackupRepository open(Object location) throws IOException {
            BackupKeys backupKeys;
            try {
                backupKeys = BackupKeys.load(keys.encryptionKeyFile, keys.decryptionKeyFiles());
            } catch (IOException e) {
                System.err.println("conifer: " + e.getMessage());
                return null;
            }
            BackupRepository plain = openPlain(location);
            return plain == null ? null : new EncryptingRepository(plain, backupKeys);
        }

        private BackupRepository openPlain(Object location) throws IOException {
            // In S3, this data directory's server id lets verify quarantine the server's own damaged blobs.
            if (location instanceof S3Location s3) {
                return new S3BackupRepository(s3, Files.exists(dataDir.resolve("server-id")) ? ServerId.load(dataDir) : "verifier");
            }
            Path root = (Path) location;
            if (!Files.isDirectory(root.resolve("manifests"))) {
                System.err.println("conifer: no backup repository at " + root);
                return null;
            }
            return new LocalBackupRepository(root);
        }

        private static int report(RepositoryVerifier.Report report) {
            for (String f : report.failed()) System.out.println("FAILED " + f);
            for (String p : report.problems()) System.out.println("PROBLEM " + p);
            for (String u : report.unreadable()) System.out.println("UNREADABLE " + u);
            boolean damaged = !report.problems().isEmpty();
            String verdict = damaged ? "DAMAGED" : report.unreadable().isEmpty() ? "OK" : "INCOMPLETE";
            System.out.printf("%s: %d backups, %d files, %d bytes read, %d problems%s%n", verdict, report.backups(),
                    report.files(), report.bytes(), report.problems().size(),
                    report.unreadable().isEmpty() ? "" : ", " + report.unreadable().size() + " backups could not be read");
            // Damage found is what needs acting on first, even where some backups could not be read.
            return damaged ? 1 : report.unreadable().isEmpty() ? 0 : UNREADABLE;
        }
    }
}
