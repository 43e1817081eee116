package io.conifer.api.control;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.conifer.api.ApiVersion;
import io.conifer.api.BossGroups;
import io.conifer.auth.ApiKeys;
import io.conifer.backup.BackupService;
import io.conifer.console.Console;
import io.conifer.console.ConsoleOrigins;
import io.conifer.index.CommitGate;
import io.conifer.index.IndexManager;
import io.conifer.restore.RestoreService;
import io.conifer.schedule.ScheduleService;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;

/** Builds the control-plane server: {@code /health} and the console's static files open, the API behind the key. */
public final class ControlPlane {
    /** How long an operation may take before it is answered 503 and may no longer commit. */
    static final long DEADLINE_MILLIS = 10_000;
    /** What index operations ask before their first durable change (see {@link ControlPlaneDeadline}). */
    public static final CommitGate COMMIT_GATE = ControlPlaneDeadline.GATE;

    private ControlPlane() {}

    public static Server build(InetSocketAddress address, EventLoopGroup workers, ApiKeys keys, IndexManager indexes,
            BackupService backups, RestoreService restores, ScheduleService schedules, PageTokens tokens, String advertiseHost,
            ConsoleOrigins consoleOrigins) {
        ControlPlaneErrors errors = new ControlPlaneErrors();
        // Index, backup and restore operations pass the commit gate, so their timeouts can promise "not applied".
        ControlPlaneDeadline deadline = new ControlPlaneDeadline(DEADLINE_MILLIS);
        ServerBuilder sb = Server.builder()
                .http(address)
                .workerGroup(workers, false)
                .bossGroupFactory(BossGroups.withoutQuietPeriod())
                .maxRequestLength(4 * 1024 * 1024)
                .gracefulShutdownTimeoutMillis(0, 1000)
                .unloggedExceptionsReportIntervalMillis(0)
                .errorHandler(errors)
                .service("/health", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"ok\"}"));
        Console.register(sb, keys, consoleOrigins);
        sb.annotatedService()
                .decorator(new ControlPlaneAuth(keys))
                .decorator(deadline)
                .exceptionHandlers(errors)
                .build(new IndexesApi(indexes, advertiseHost));
        sb.annotatedService()
                .decorator(new ControlPlaneAuth(keys))
                .decorator(deadline)
                .exceptionHandlers(errors)
                .build(new BackupsApi(backups, indexes, tokens));
        sb.annotatedService()
                .decorator(new ControlPlaneAuth(keys))
                .decorator(deadline)
                .exceptionHandlers(errors)
                .build(new RestoresApi(restores, tokens));
        sb.annotatedService()
                .decorator(new ControlPlaneAuth(keys))
                .exceptionHandlers(errors)
                .build(new CollectionsApi());
        sb.annotatedService()
                .decorator(new RequiredApiVersion(ApiVersion.V2026_07, "Backup schedules"))
                .decorator(new ControlPlaneAuth(keys))
                .decorator(deadline)
                .exceptionHandlers(errors)
                .build(new BackupSchedulesApi(schedules, tokens));
        return sb.build();
    }
}
