package io.conifer.server;

import java.nio.file.Path;

/**
 * How a server runs. {@code firstDataPort} is where index ports are allocated from (0 means "the
 * control port + 1"); tests pass free ports.
 */
public record ServerConfig(
        Path dataDir,
        int port,
        String apiKeys,
        String bind,
        String advertiseHost,
        int firstDataPort,
        long checkpointIntervalMillis) {

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, 5080, null, "127.0.0.1", "localhost", 0, 30_000);
    }

    public ServerConfig withPorts(int port, int firstDataPort) {
        return new ServerConfig(dataDir, port, apiKeys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis);
    }

    public ServerConfig withApiKeys(String keys) {
        return new ServerConfig(dataDir, port, keys, bind, advertiseHost, firstDataPort, checkpointIntervalMillis);
    }

    public int dataPortStart() {
        return firstDataPort > 0 ? firstDataPort : port + 1;
    }
}
