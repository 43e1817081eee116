package io.conifer.server;

import java.nio.file.Path;

/**
 * How a server runs. {@code firstDataPort} is where index ports are allocated from (0 means "the
 * control port + 1"); {@code backupDir} null means {@code DATA_DIR/backups}; {@code backupMaxMbps} 0
 * means unthrottled.
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
        double backupMaxMbps) {

    public static final int DEFAULT_BACKUP_QUOTA = 1000;

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, 5080, null, "127.0.0.1", "localhost", 0, 30_000, null, DEFAULT_BACKUP_QUOTA, 0);
    }

    public ServerConfig withPorts(int port, int firstDataPort) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps);
    }

    public ServerConfig withApiKeys(String keys) {
        return new ServerConfig(dataDir, port, keys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                backupDir, backupQuota, backupMaxMbps);
    }

    public ServerConfig withBackups(Path dir, int quota, double maxMbps) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis,
                dir, quota, maxMbps);
    }

    public int dataPortStart() {
        return firstDataPort > 0 ? firstDataPort : port + 1;
    }

    public Path backupRepository() {
        return backupDir != null ? backupDir : dataDir.resolve("backups");
    }
}
