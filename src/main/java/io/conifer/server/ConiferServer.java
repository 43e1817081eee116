package io.conifer.server;

import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.Server;
import io.conifer.api.control.ControlPlane;
import io.conifer.api.control.PageTokens;
import io.conifer.backup.BackupService;
import io.conifer.backup.LocalBackupRepository;
import io.conifer.backup.Throttle;
import io.conifer.api.data.DataPlaneServers;
import io.conifer.auth.ApiKeys;
import io.conifer.index.IndexManager;
import io.conifer.restore.RestoreService;
import io.conifer.schedule.BackupScheduler;
import io.conifer.schedule.ScheduleService;
import io.conifer.vectors.VectorStore;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
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
        ApiKeys keys = ApiKeys.parse(config.apiKeys());
        InetAddress bind = InetAddress.getByName(config.bind());
        if (keys.isOpen() && !bind.isLoopbackAddress()) {
            throw new IllegalStateException("Refusing to bind to " + config.bind() + " without an API key: anyone who can"
                    + " reach it could read and delete your data. Set --api-key (or CONIFER_API_KEY), or bind to 127.0.0.1.");
        }
        Files.createDirectories(config.dataDir());
        EventLoopGroup workers = EventLoopGroups.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        IndexManager indexes = null;
        BackupService backups = null;
        RestoreService restores = null;
        BackupScheduler scheduler = null;
        try {
            indexes = new IndexManager(config.dataDir(), new DataPlaneServers(keys, bind, workers), bind,
                    config.dataPortStart(), VectorStore.StoreOptions.defaults(), config.checkpointIntervalMillis());
            indexes.start();
            backups = new BackupService(new LocalBackupRepository(config.backupRepository()), indexes,
                    config.dataDir().resolve("backup-staging"), config.backupQuota(), new Throttle(config.backupMaxMbps()));
            backups.start();
            Throttle throttle = new Throttle(config.backupMaxMbps());
            restores = new RestoreService(config.dataDir().resolve("restore-jobs.json"), backups, indexes, throttle);
            restores.start();
            ScheduleService schedules = new ScheduleService(config.dataDir().resolve("backup-schedules.json"), indexes, backups,
                    config.clock());
            schedules.start();
            scheduler = new BackupScheduler(schedules, config.clock());
            PageTokens tokens = new PageTokens(TokenSecret.load(config.dataDir().resolve("token-secret")));
            Server control = ControlPlane.build(new InetSocketAddress(bind, config.port()), workers, keys, indexes,
                    backups, restores, schedules, tokens, config.advertiseHost());
            control.start().join();
            scheduler.start();
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
}
