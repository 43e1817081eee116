package io.conifer.server;

import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.Server;
import io.conifer.api.control.ControlPlane;
import io.conifer.api.control.PageTokens;
import io.conifer.api.data.DataPlaneServers;
import io.conifer.auth.ApiKeys;
import io.conifer.backup.BackupKeys;
import io.conifer.backup.BackupService;
import io.conifer.backup.BackupRepository;
import io.conifer.backup.EncryptingRepository;
import io.conifer.backup.LocalBackupRepository;
import io.conifer.backup.S3BackupRepository;
import io.conifer.backup.ServerId;
import io.conifer.backup.Throttle;
import io.conifer.console.ConsoleOrigins;
import io.conifer.files.PrivateDirectory;
import io.conifer.index.IndexManager;
import io.conifer.restore.RestoreService;
import io.conifer.schedule.BackupScheduler;
import io.conifer.schedule.ScheduleService;
import io.conifer.store.StoreOptions;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the parts together: storage and catalog, the per-index data planes, and the control plane. */
public final class ConiferServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConiferServer.class);

    private final ServerConfig config;
    private final EventLoopGroup workers;
    private final IndexManager indexes;
    private final BackupService backups;
    private final RestoreService restores;
    private final ScheduleService schedules;
    private final BackupScheduler scheduler;
    private final Server controlPlane;

    private ConiferServer(ServerConfig config, EventLoopGroup workers, IndexManager indexes, BackupService backups,
            RestoreService restores, ScheduleService schedules, BackupScheduler scheduler, Server controlPlane) {
        this.config = config;
        this.workers = workers;
        this.indexes = indexes;
        this.backups = backups;
        this.restores = restores;
        this.schedules = schedules;
        this.scheduler = scheduler;
        this.controlPlane = controlPlane;
    }

    public static ConiferServer start(ServerConfig config) throws IOException {
        StoreOptions options = StoreOptions.defaults().withMaxReplayMillis(config.maxReplayMillis());
        return start(config, IndexManager.StoreOpener.withOptions(options));
    }

    /** Starts with the given way of opening index stores (tests use it to hold one index's opening). */
    public static ConiferServer start(ServerConfig config, IndexManager.StoreOpener opener) throws IOException {
        ApiKeys keys = ApiKeys.parse(config.apiKeys()).withLocalHost(advertisedHostName(config.advertiseHost()));
        InetAddress bind = resolve(config.bind());
        if (keys.isOpen() && !bind.isLoopbackAddress()) {
            throw new IllegalStateException("Refusing to bind to " + config.bind() + " without an API key: anyone who can"
                    + " reach it could read and delete your data. Set --api-key (or CONIFER_API_KEY), or bind to 127.0.0.1.");
        }
        requireWritable(config.dataDir());
        BackupKeys backupKeys = loadBackupKeys(config);
        requireFree(bind, config.port());
        EventLoopGroup workers = EventLoopGroups.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        IndexManager indexes = null;
        BackupService backups = null;
        RestoreService restores = null;
        BackupScheduler scheduler = null;
        try {
            ConsoleOrigins consoleOrigins = new ConsoleOrigins(config.advertiseHost());
            indexes = new IndexManager(config.dataDir(), new DataPlaneServers(keys, bind, workers, consoleOrigins), bind,
                    config.dataPortStart(), opener, ControlPlane.COMMIT_GATE, config.checkpointIntervalMillis());
            indexes.start();
            BackupRepository repository = config.backupS3() != null
                    ? new S3BackupRepository(config.backupS3(), ServerId.load(config.dataDir()))
                    : new LocalBackupRepository(privateDirectory(config.backupRepository()), config.backupReadBack());
            backups = new BackupService(new EncryptingRepository(repository, backupKeys), indexes,
                    config.dataDir().resolve("backup-staging"), config.backupQuota(), new Throttle(config.backupMaxMbps()),
                    ControlPlane.COMMIT_GATE);
            try {
                backups.start();
            } catch (IOException e) {
                Object where = config.backupS3() != null ? config.backupS3() : config.backupRepository();
                throw new StartupFailure("cannot open the backup repository " + where + ": " + e.getMessage()
                        + " (check --backup-repo, the S3 endpoint, region and credentials)", e);
            }
            Throttle throttle = new Throttle(config.backupMaxMbps());
            restores = new RestoreService(config.dataDir().resolve("restore-jobs.json"), backups, indexes, throttle);
            restores.start();
            ScheduleService schedules = new ScheduleService(config.dataDir().resolve("backup-schedules.json"), indexes, backups,
                    config.clock(), ControlPlane.COMMIT_GATE);
            schedules.start();
            scheduler = new BackupScheduler(schedules::tick, config.clock());
            PageTokens tokens = new PageTokens(TokenSecret.load(config.dataDir().resolve("token-secret")));
            Server control = ControlPlane.build(new InetSocketAddress(bind, config.port()), workers, keys, indexes,
                    backups, restores, schedules, tokens, config.advertiseHost(), consoleOrigins);
            try {
                control.start().join();
            } catch (CompletionException e) {
                control.closeAsync();
                throw portInUse(config.bind(), config.port(), e.getCause());
            }
            consoleOrigins.controlPort(control.activeLocalPort());
            // A catch-up run at start must not find its index still replaying its log.
            indexes.whenOpened().thenRun(scheduler::start);
            ConiferServer server = new ConiferServer(config, workers, indexes, backups, restores, schedules, scheduler, control);
            log.info("Conifer ready: control plane http://{}:{} (data dir {}, {} indexes, auth {})", config.bind(),
                    server.port(), config.dataDir().toAbsolutePath(), indexes.size(), keys.isOpen() ? "open" : "API keys");
            return server;
        } catch (RuntimeException | IOException e) {
            if (scheduler != null) scheduler.close();
            if (restores != null) restores.close();
            if (backups != null) backups.close();
            if (indexes != null) indexes.close();
            workers.shutdownGracefully();
            throw e;
        }
    }

    private static InetAddress resolve(String bind) throws StartupFailure {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new StartupFailure("cannot resolve --bind address '" + bind + "': give an IP address (127.0.0.1 for"
                    + " this machine only, 0.0.0.0 for every interface) or a host name this machine resolves", e);
        }
    }

    /** Fails before anything is opened when the data directory cannot be written (read-only, permissions). */
    private static void requireWritable(Path dataDir) throws StartupFailure {
        try {
            PrivateDirectory.create(dataDir);
            Files.delete(Files.createTempFile(dataDir, ".write-check", ".tmp"));
        } catch (IOException e) {
            String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
            throw new StartupFailure("data directory " + dataDir.toAbsolutePath() + " is not writable (" + why
                    + "): choose a writable --data-dir, or fix its permissions or mount", e);
        }
    }

    /** A local backup repository outside the data directory holds the same data, so it is created as private. */
    private static Path privateDirectory(Path dir) throws IOException {
        PrivateDirectory.create(dir);
        return dir;
    }

    /** Fails before anything is opened when a backup key file is missing or holds anything but a 256-bit key. */
    private static BackupKeys loadBackupKeys(ServerConfig config) throws StartupFailure {
        try {
            return BackupKeys.load(config.backupKeyFile(), config.backupOldKeyFiles());
        } catch (IOException e) {
            throw new StartupFailure(e.getMessage(), e);
        }
    }

    /** Fails before the indexes are opened when the control port is taken (its real bind is checked too). */
    private static void requireFree(InetAddress bind, int port) throws StartupFailure {
        if (port == 0) return;
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bind, port));
        } catch (IOException e) {
            throw portInUse(bind.getHostAddress(), port, e);
        }
    }

    private static StartupFailure portInUse(String bind, int port, Throwable cause) {
        String why = cause == null || cause.getMessage() == null ? "in use" : cause.getMessage();
        return new StartupFailure("cannot listen on " + bind + ":" + port + " (" + why + "): stop the process that uses"
                + " it (another Conifer?) or choose another --port", cause);
    }

    public int port() {
        return controlPlane.activeLocalPort();
    }

    public IndexManager indexes() {
        return indexes;
    }

    public RestoreService restores() {
        return restores;
    }

    public ScheduleService schedules() {
        return schedules;
    }

    public BackupService backups() {
        return backups;
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        controlPlane.stop().join();
        scheduler.close();
        restores.close();
        backups.close();
        indexes.close();
        workers.shutdownGracefully();
    }

    /** Stops serving and leaves the disk as a crash would: no final checkpoint (for recovery tests). */
    public void crash() {
        controlPlane.stop().join();
        scheduler.close();
        restores.close();
        backups.close();
        indexes.crash();
        workers.shutdownGracefully();
    }

    private static String advertisedHostName(String advertiseHost) {
        String host = java.net.URI.create(advertiseHost.contains("://") ? advertiseHost : "http://" + advertiseHost).getHost();
        return host == null ? advertiseHost : host;
    }
}
