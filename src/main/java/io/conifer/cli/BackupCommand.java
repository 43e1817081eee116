package io.conifer.cli;

import io.conifer.backup.LocalBackupRepository;
import io.conifer.backup.RepositoryVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code conifer backup ...}: offline operations on a backup repository. */
@Command(name = "backup", description = "Inspect the backup repository.", subcommands = BackupCommand.Verify.class)
final class BackupCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "verify", description = "Re-read every file of every backup (or of one), report any missing or corrupt file, damaged"
            + " manifest or quarantined file, and why each Failed backup failed.")
    static final class Verify implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "BACKUP_ID", description = "Verify only this backup.")
        String backupId;

        @Option(names = "--data-dir", defaultValue = "${env:CONIFER_DATA_DIR:-./conifer-data}",
                description = "The server's data directory (env CONIFER_DATA_DIR; default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--backup-dir", defaultValue = "${env:CONIFER_BACKUP_DIR}",
                description = "The repository (env CONIFER_BACKUP_DIR; default DATA_DIR/backups).")
        Path backupDir;

        @Override
        public Integer call() throws Exception {
            Path root = backupDir != null ? backupDir : dataDir.resolve("backups");
            if (!Files.isDirectory(root.resolve("manifests"))) {
                System.err.println("conifer: no backup repository at " + root.toAbsolutePath());
                return 2;
            }
            RepositoryVerifier verifier = new RepositoryVerifier(new LocalBackupRepository(root));
            RepositoryVerifier.Report report = verifier.verify(backupId,
                    new RepositoryVerifier.ProgressBar(System.err, System.console() != null));
            for (String f : report.failed()) System.out.println("FAILED " + f);
            for (String p : report.problems()) System.out.println("PROBLEM " + p);
            System.out.printf("%s: %d backups, %d files, %d bytes read, %d problems%n",
                    report.clean() ? "OK" : "DAMAGED", report.backups(), report.files(), report.bytes(), report.problems().size());
            return report.clean() ? 0 : 1;
        }
    }
}
