package io.conifer.server;

import io.conifer.backup.S3Location;
import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * How a server runs. {@code firstDataPort} is where index ports are allocated from (0 means "the
 * control port + 1"); {@code backupDir} null means {@code DATA_DIR/backups}; {@code backupMaxMbps} 0
 * means unthrottled. {@code clock} is the time backup schedules run by (tests set their own).
 * {@code maxReplayMillis} bounds the log replay after a crash (0: only the log's size and the
 * checkpoint interval bound it). {@code backupS3} non-null puts backups in that bucket instead of
 * {@code backupDir}. {@code backupKeyFile} and {@code backupOldKeyFiles}: see {@link #withBackupKeys}.
 * {@code backupReadBack}: see {@link #withBackupReadBack}.
 */
public record ServerConfig(
        Path dataDir,
        int port,
        String apiKeys,
        String bind,
        String advertiseHost,
        int firstDataPort,
        long checkpointIntervalMillis,
        Path backupDir,
        int backupQuota,
        double backupMaxMbps,
        Clock clock,
        long maxReplayMillis,
        S3Location backupS3,
        Path backupKeyFile,
        List<Path> backupOldKeyFiles,
        boolean backupReadBack) {

    public static final int DEFAULT_BACKUP_QUOTA = 1000;

    /** A configuration on the system clock, with the default replay bound. */
    public ServerConfig(Path dataDir, int port, String apiKeys, String bind, String advertiseHost, int firstDataPort,
            long checkpointIntervalMillis, Path backupDir, int backupQuota, double backupMaxMbps) {
        this(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis, backupDir, backupQuota,
                backupMaxMbps, Clock.systemUTC(), StoreOptions.defaults().maxReplayMillis(), null, null, List.of(), false);
    }

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, 5080, null, "127.0.0.1", "localhost", 0, 30_000, null, DEFAULT_BACKUP_QUOTA, 0);
    }

    public ServerConfig withPorts(int port, int firstDataPort) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, clock, maxReplayMillis, backupS3, backupKeyFile, backupOldKeyFiles, backupReadBack);
    }

    public ServerConfig withApiKeys(String keys) {
        return new ServerConfig(dataDir, port, keys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, clock, maxReplayMillis, backupS3, backupKeyFile, backupOldKeyFiles, backupReadBack);
    }

    public ServerConfig withBackups(Path dir, int quota, double maxMbps) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                dir, quota, maxMbps, clock, maxReplayMillis, backupS3, backupKeyFile, backupOldKeyFiles, backupReadBack);
    }

    public ServerConfig withClock(Clock newClock) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, newClock, maxReplayMillis, backupS3, backupKeyFile, backupOldKeyFiles, backupReadBack);
    }

    public ServerConfig withMaxReplayMillis(long millis) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, clock, millis, backupS3, backupKeyFile, backupOldKeyFiles, backupReadBack);
    }

    /** Backups in an S3-compatible bucket instead of a local directory. */
    public ServerConfig withBackupS3(S3Location location) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, clock, maxReplayMillis, location, backupKeyFile, backupOldKeyFiles, backupReadBack);
    }

    /**
     * Backups encrypted with the key in {@code keyFile} (null: unencrypted), older ones also read with
     * the keys in {@code oldKeyFiles}; see {@link io.conifer.backup.BackupKeys}.
     */
    public ServerConfig withBackupKeys(Path keyFile, List<Path> oldKeyFiles) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, clock, maxReplayMillis, backupS3, keyFile, List.copyOf(oldKeyFiles), backupReadBack);
    }

    /**
     * Whether a local repository reads each blob back from the device before a backup may be Ready (off by
     * default: it doubles a backup's device I/O, and restores and {@code conifer backup verify} check
     * every blob anyway; every copy checks its source against the Lucene footer either way).
     */
    public ServerConfig withBackupReadBack(boolean readBack) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps, clock, maxReplayMillis, backupS3, backupKeyFile, backupOldKeyFiles, readBack);
    }

    public int dataPortStart() {
        return firstDataPort > 0 ? firstDataPort : port + 1;
    }

    public Path backupRepository() {
        return backupDir != null ? backupDir : dataDir.resolve("backups");
    }
}
