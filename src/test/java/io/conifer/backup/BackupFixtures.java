package io.conifer.backup;

import io.conifer.index.CommitGate;
import io.conifer.index.Deployment;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexSchema;
import io.conifer.index.ReadCapacity;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The setup of the backup service's tests that run it without a server: real indexes, a given repository. */
final class BackupFixtures {
    private BackupFixtures() {}

    /** An index manager in {@code dir/data}, started, holding index "docs" (2 dimensions, cosine) of project "p". */
    static IndexManager indexes(Path dir) throws IOException {
        IndexManager indexes = new IndexManager(dir.resolve("data"), (def, store) -> (Closeable) () -> {},
                InetAddress.getLoopbackAddress(), 40000, (d, space) -> VectorStore.open(d, space, StoreOptions.defaults()),
                CommitGate.OPEN, 30_000);
        indexes.start();
        indexes.create("p", new IndexManager.NewIndex("docs", IndexSchema.vectors(VectorType.DENSE, 2, Metric.COSINE, null),
                Deployment.DEFAULT, ReadCapacity.ON_DEMAND, false, Map.of(), null));
        return indexes;
    }

    /** The backup's status once it is no longer Initializing (or after 60 s). */
    static BackupStatus settled(BackupService backups, String id) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (backups.describe("p", id).status() == BackupStatus.Initializing && Instant.now().isBefore(until)) {
            Thread.sleep(20);
        }
        return backups.describe("p", id).status();
    }

    /** A started backup service over {@code repository}, staging in {@code dir/staging}. */
    static BackupService backups(Path dir, BackupRepository repository, IndexManager indexes, CommitGate gate) throws IOException {
        BackupService backups = new BackupService(repository, indexes, dir.resolve("staging"), 100, Throttle.UNLIMITED, gate);
        backups.start();
        return backups;
    }
}
