package io.conifer.backup;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-reads every file of every backup (or of one) and reports each missing or corrupt file by backup,
 * file name and blob. Used by {@code conifer backup verify}; safe while a server runs, since blobs and
 * manifests are immutable once written.
 */
public final class RepositoryVerifier {
    private final BackupRepository repository;
    private final BackupReader reader;

    public RepositoryVerifier(BackupRepository repository) {
        this.repository = repository;
        this.reader = new BackupReader(repository, Throttle.UNLIMITED);
    }

    /** What verification found: the problems (empty when the repository is sound) and what was read. */
    public record Report(List<String> problems, int backups, int files, long bytes) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    /** Verifies one backup, or all when {@code backupId} is null. */
    public Report verify(String backupId, ProgressBar progress) throws IOException {
        List<String> ids = backupId == null ? repository.manifestIds() : List.of(backupId);
        List<String> problems = new ArrayList<>();
        List<BackupManifest> manifests = new ArrayList<>();
        for (String id : ids) {
            byte[] json;
            try {
                json = repository.getManifest(id).orElse(null);
            } catch (IllegalArgumentException e) {
                json = null;
            }
            if (json == null) {
                problems.add("Backup " + id + ": no such backup in this repository");
                continue;
            }
            try {
                manifests.add(BackupManifest.fromJson(json));
            } catch (IOException e) {
                problems.add("Backup " + id + ": manifest is unreadable: " + e.getMessage());
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
                    reader.verify(f, n -> progress.update(done.addAndGet(n)));
                } catch (BackupReader.DamagedFileException e) {
                    problems.add("Backup " + m.backupId() + " (index '" + m.sourceIndexName() + "'): " + e.getMessage());
                }
            }
        }
        progress.finish();
        return new Report(problems, manifests.size(), files, done.get());
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
