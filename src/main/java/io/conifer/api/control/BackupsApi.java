package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupProgress;
import io.conifer.backup.BackupService;
import io.conifer.backup.BackupStatus;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexManager;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** create_backup, describe_backup, list_index_backups, list_project_backups, delete_backup. */
@Blocking
public final class BackupsApi {
    private final BackupService backups;
    private final IndexManager indexes;
    private final PageTokens tokens;

    public BackupsApi(BackupService backups, IndexManager indexes, PageTokens tokens) {
        this.backups = backups;
        this.indexes = indexes;
        this.tokens = tokens;
    }

    @Post("/indexes/{index_name}/backups")
    public HttpResponse create(ServiceRequestContext ctx, @Param("index_name") String indexName, String body) throws IOException {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        ControlDialect.BackupRequest req = dialect.backupRequest(JsonBody.parse(body));
        BackupManifest m = backups.create(ControlPlaneAuth.project(ctx), indexName, req.name(), req.description());
        return IndexesApi.json(dialect.backupCreated(), model(dialect, m));
    }

    @Get("/indexes/{index_name}/backups")
    public HttpResponse listForIndex(ServiceRequestContext ctx, @Param("index_name") String indexName,
            @Param("include_deleted") Optional<String> includeDeleted, @Param("limit") Optional<String> limit,
            @Param("paginationToken") Optional<String> token) {
        String project = ControlPlaneAuth.project(ctx);
        boolean withDeleted = flag("include_deleted", includeDeleted.orElse(null));
        return list(ctx, backups.listForIndex(project, indexName, withDeleted),
                "index-backups\u0000" + project + "\u0000" + indexName + "\u0000" + withDeleted, limit, token);
    }

    @Get("/backups")
    public HttpResponse listForProject(ServiceRequestContext ctx, @Param("limit") Optional<String> limit,
            @Param("paginationToken") Optional<String> token) {
        String project = ControlPlaneAuth.project(ctx);
        return list(ctx, backups.list(project), "project-backups\u0000" + project, limit, token);
    }

    private static boolean flag(String name, String value) {
        if (value == null || value.isEmpty() || value.equals("false")) return false;
        if (value.equals("true")) return true;
        throw ConiferException.invalid(name + " must be true or false, not '" + value + "'");
    }

    private HttpResponse list(ServiceRequestContext ctx, List<BackupManifest> all, String scope, Optional<String> limit,
            Optional<String> token) {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        PageTokens.Page<BackupManifest> page = tokens.page(all, BackupService::sortKey, scope, limit.orElse(null),
                token.orElse(null), dialect.defaultPageSize());
        return IndexesApi.json(HttpStatus.OK, page.toJson(m -> model(dialect, m)));
    }

    @Get("/backups/{backup_id}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("backup_id") String id) {
        BackupManifest m = backups.describe(ControlPlaneAuth.project(ctx), id);
        return IndexesApi.json(HttpStatus.OK, model(ControlPlaneAuth.dialect(ctx), m));
    }

    @Delete("/backups/{backup_id}")
    public HttpResponse delete(ServiceRequestContext ctx, @Param("backup_id") String id) throws IOException {
        String project = ControlPlaneAuth.project(ctx);
        if (ControlPlaneAuth.dialect(ctx).deletesBackupsRestoresRead()) backups.deleteWhenRestoresEnd(project, id);
        else backups.delete(project, id);
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.ACCEPTED));
    }

    /**
     * The version's BackupModel; while the copy runs, also how far it is ({@code percent_complete} as a
     * restore job has it, and the bytes: fields the specs do not name, which every SDK keeps or ignores).
     */
    private ObjectNode model(ControlDialect dialect, BackupManifest m) {
        ObjectNode n = dialect.backup(m, indexes.deletedAt(m.sourceIndexId()));
        if (m.status() == BackupStatus.Initializing) {
            backups.progress(m.backupId()).map(BackupProgress::now).ifPresent(p -> {
                n.put("percent_complete", p.percent());
                n.put("bytes_done", p.doneBytes());
                n.put("bytes_total", p.totalBytes());
            });
        }
        return n;
    }
}
