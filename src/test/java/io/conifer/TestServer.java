package io.conifer;

import io.conifer.index.IndexManager;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * An in-process Conifer on free ports over a data directory, for tests. Restartable on the same
 * directory ({@link #restart()}), or crashed without a final checkpoint ({@link #crashAndRestart()}).
 */
public final class TestServer implements AutoCloseable {
    public static final String KEY = "test-key";

    private ServerConfig config;
    private ConiferServer server;

    private TestServer(ServerConfig config) throws IOException {
        this.config = config;
        this.server = startOpened(config);
    }

    /** Starts and waits until every index has replayed its log, so a test's first call finds it serving. */
    private static ConiferServer startOpened(ServerConfig config) throws IOException {
        ConiferServer s = ConiferServer.start(config);
        s.indexes().whenOpened().join();
        return s;
    }

    private TestServer(ServerConfig config, IndexManager.StoreOpener opener) throws IOException {
        this.config = config;
        this.server = ConiferServer.start(config, opener);
    }

    /** A server that opens index stores with {@code opener} (e.g. to hold one index's opening). */
    public static TestServer startWithOpener(Path dataDir, IndexManager.StoreOpener opener) throws IOException {
        return new TestServer(ServerConfig.defaults(dataDir).withApiKeys(KEY).withPorts(0, freePortRange()), opener);
    }

    /** A server with one API key, {@link #KEY}, in the default project. */
    public static TestServer start(Path dataDir) throws IOException {
        return start(dataDir, KEY);
    }

    public static TestServer start(Path dataDir, String apiKeys) throws IOException {
        ServerConfig c = ServerConfig.defaults(dataDir).withApiKeys(apiKeys).withPorts(0, freePortRange());
        return new TestServer(c);
    }

    /** A server with one API key, {@link #KEY}, and the rest of its configuration changed by {@code settings}. */
    public static TestServer startWith(Path dataDir, UnaryOperator<ServerConfig> settings) throws IOException {
        return new TestServer(settings.apply(ServerConfig.defaults(dataDir).withApiKeys(KEY).withPorts(0, freePortRange())));
    }

    /**
     * A base port with a run of free ports above it (index ports are allocated upwards from it), below
     * the kernel's ephemeral range: a port found free there can be handed to any outgoing connection
     * before the server binds it (or binds it again after a restart), which failed a CI run.
     */
    public static int freePortRange() {
        int below = ephemeralLow() - 40;
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 10000 + (int) (Math.random() * (below - 10000));
            boolean ok = true;
            for (int p = base; p < base + 20 && ok; p++) ok = isFree(p);
            if (ok) return base;
        }
        throw new IllegalStateException("no free port range");
    }

    /** The first port of the kernel's ephemeral range (Linux's default 32768 when it cannot be read). */
    private static int ephemeralLow() {
        try {
            String range = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Math.max(12000, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "http://localhost:" + port();
    }

    public ConiferServer server() {
        return server;
    }

    /** Stops and starts again on the same data directory and the same control port. */
    public void restart() {
        int port = server.port();
        Http.dropIdleConnections();
        server.close();
        reopen(port);
    }

    /** Stops without a final Lucene commit, as kill -9 would, then starts again. */
    public void crashAndRestart() {
        int port = server.port();
        Http.dropIdleConnections();
        server.crash();
        reopen(port);
    }

    private void reopen(int port) {
        config = config.withPorts(port, config.firstDataPort());
        try {
            server = startOpened(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Http.dropIdleConnections();
        server.close();
    }
}
