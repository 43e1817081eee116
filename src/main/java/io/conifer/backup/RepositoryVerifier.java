package io.conifer.backup;

import io.conifer.files.IoErrors;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-reads every file of every backup (or of one) and reports each missing or corrupt file by backup,
 * file name and blob, each damaged manifest, each quarantined blob, and why each Failed backup failed.
 * Used by {@code conifer backup verify}; safe while a server runs, since blobs are immutable once
 * written and manifests are replaced atomically; a corrupt blob it finds is quarantined.
 */
public final class RepositoryVerifier {
    private final BackupRepository repository;
    private final BackupReader reader;

    /** {@code repository} decrypts with the keys given ({@link EncryptingRepository}) if its backups are encrypted. */
    public RepositoryVerifier(BackupRepository repository) {
        this.repository = repository;
        this.reader = new BackupReader(repository, Throttle.UNLIMITED);
    }

    /**
     * What verification found: the problems, each saying what to do (empty when no damage was found), the
     * backups whose manifest could not be read (so were not verified, but are not known to be damaged
     * either), why each Failed backup failed, and what was read.
     */
    public record Report(List<String> problems, List<String> unreadable, List<String> failed, int backups, int files,
            long bytes) {
        /** Every backup was read, and none is damaged. */
        public boolean clean() {
            return problems.isEmpty() && unreadable.isEmpty();
        }
    }

    /** Verifies one backup, or all when {@code backupId} is null. */
    public Report verify(String backupId, ProgressBar progress) throws IOException {
        // As the server does: a file in manifests/ not named by a backup id is no backup (BackupService).
        List<String> ids = backupId == null
                ? repository.manifestIds().stream().filter(BackupManifest::isBackupId).toList() : List.of(backupId);
        List<String> problems = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<BackupManifest> manifests = new ArrayList<>();
        for (String id : ids) {
            BackupManifest m = read(id, problems, unreadable);
            if (m == null) continue;
            manifests.add(m);
            if (m.status() == BackupStatus.Failed) {
                failed.add("Backup " + id + " (index '" + m.sourceIndexName() + "') is Failed: " + m.failureReason());
            }
        }
        long total = 0;
        for (BackupManifest m : manifests) {
            if (m.status() == BackupStatus.Ready) for (BackupManifest.FileEntry f : m.files()) total += f.length();
        }
        AtomicLong done = new AtomicLong();
        progress.start(total);
        int files = 0;
        for (BackupManifest m : manifests) {
            if (m.status() != BackupStatus.Ready) continue;
            for (BackupManifest.FileEntry f : m.files()) {
                files++;
                try {
                    reader.verify(m.backupId(), f, n -> progress.update(done.addAndGet(n)));
                } catch (BackupReader.DamagedFileException e) {
                    problems.add("Backup " + m.backupId() + " (index '" + m.sourceIndexName() + "'): " + e.getMessage()
                            + ". It cannot be restored until a new backup of the index that holds this file stores it again.");
                } catch (BackupKeyException e) {
                    problems.add("Backup " + m.backupId() + " (index '" + m.sourceIndexName() + "'): file " + f.name()
                            + " cannot be verified: " + e.getMessage() + ".");
                }
            }
        }
        progress.finish();
        if (backupId == null) problems.addAll(quarantineReport(manifests));
        return new Report(problems, unreadable, failed, manifests.size(), files, done.get());
    }

    /**
     * A backup's manifest, or null with the reason added to {@code problems} or, when the manifest could
     * not be read at all (an S3 403 or 5xx past the retries, an expired token, a permission error), to
     * {@code unreadable}: that says nothing about the backup, so it must not be called damaged, and
     * deleting it would be the wrong advice.
     */
    private BackupManifest read(String id, List<String> problems, List<String> unreadable) {
        byte[] json;
        try {
            BackupRepository.ManifestRead read = repository.readManifest(id).orElse(null);
            if (read == null) {
                problems.add("Backup " + id + ": no such backup in this repository");
                return null;
            }
            if (read.damage() != null) {
                problems.add("Backup " + id + ": manifest " + read.damage() + ". The sound copy is used; the server "
                        + "rewrites both at its next start.");
            }
            json = read.json();
        } catch (IllegalArgumentException e) {
            problems.add("Backup " + id + ": no such backup in this repository");
            return null;
        } catch (BackupKeyException e) {
            problems.add("Backup " + id + ": cannot be verified: " + e.getMessage() + ".");
            return null;
        } catch (BackupRepository.DamagedManifestException e) {
            problems.add(damaged(id, e));
            return null;
        } catch (IOException e) {
            unreadable.add("Backup " + id + ": could not read its manifest (" + IoErrors.describe(e) + "), so it was not"
                    + " verified. Check the repository's permissions (or S3 credentials and endpoint) and run verify again.");
            return null;
        }
        try {
            return BackupManifest.fromJson(id, json);
        } catch (IOException e) {
            // A copy whose checksum holds but whose JSON is no manifest of this backup: damage all the same.
            problems.add(damaged(id, e));
            return null;
        }
    }

    private static String damaged(String id, IOException e) {
        return "Backup " + id + ": manifest damaged beyond recovery (" + e.getMessage() + "). Which files it holds is "
                + "unknown, so the server removes no unreferenced backup files while it exists. Delete it (DELETE /backups/"
                + id + "; it is listed as Failed), or, if no project lists it, stop the server and remove manifests/" + id
                + ".json and " + id + ".json.copy.";
    }

    /** Every quarantined blob: why, which backups name it, and whether a later backup has stored it again. */
    private List<String> quarantineReport(List<BackupManifest> manifests) throws IOException {
        List<String> out = new ArrayList<>();
        for (BackupRepository.Quarantined q : repository.quarantined()) {
            List<String> holders = new ArrayList<>();
            for (BackupManifest m : manifests) {
                if (m.files() == null) continue;
                for (BackupManifest.FileEntry f : m.files()) {
                    if (f.sha256().equals(q.sha256())) holders.add("backup " + m.backupId() + " file " + f.name());
                }
            }
            out.add("Quarantined at " + q.at() + ": " + q.reason() + " (named by " + (holders.isEmpty() ? "no backup"
                    : String.join(", ", holders)) + "). " + (repository.hasBlob(q.sha256())
                    ? "A later backup stored this content again, so those backups are whole again."
                    : "Those backups cannot be restored until a backup of their index stores this content again.")
                    + " Check the disk, then delete " + q.location() + " and " + q.location() + ".reason to clear this.");
        }
        return out;
    }

    /** A text progress bar on a terminal; silent elsewhere. */
    public static final class ProgressBar {
        private final PrintStream out;
        private final boolean enabled;
        private long total;
        private int lastPercent = -1;

        public ProgressBar(PrintStream out, boolean enabled) {
            this.out = out;
            this.enabled = enabled;
        }

        void start(long totalBytes) {
            this.total = Math.max(1, totalBytes);
        }

        synchronized void update(long done) {
            int percent = (int) (done * 100 / total);
            if (!enabled || percent == lastPercent) return;
            lastPercent = percent;
            int width = 40;
            int filled = percent * width / 100;
            out.print("\rverifying [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + percent + "%");
            out.flush();
        }

        void finish() {
            if (enabled && lastPercent >= 0) out.println();
        }
    }
}
